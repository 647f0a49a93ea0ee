-- invalid.lua: authenticated hand-offs that fail validation (every answer is a 400 envelope):
-- a bad confidence (refused by the struct's pattern), a note that is too short, a wrong type
-- (the slow per-field explanation path), an invalid phone number and a malformed 4-line note
-- (both refused by the use case after decoding), in rotation.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "handoff.lua")

local NOTE = "Category: WiFi\\nReason: TwoStepsNoResolve\\nSummary: Drops.\\nConfidence: 0.85"
local INVALID = {
  '{"note":"' .. NOTE .. '","confidence":"2.5","oaKey":"bad-1"}',
  '{"note":"short","oaKey":"bad-2"}',
  '{"note":42,"category":"WiFi","callerNumber":12345}',
  '{"note":"' .. NOTE .. '","callerNumber":"+1000","oaKey":"bad-4"}',
  '{"note":"Category: WiFi only one line here","oaKey":"bad-5"}',
}

function handoff_body(i)
  return INVALID[(i % #INVALID) + 1]
end
