-- idempotent.lua: handoff.lua with an Idempotency-Key on every request: BENCH_IDEM_KEYS (100)
-- keys per run, each reused for the same body, so after the first round every request is a
-- replay of the stored answer (Idempotent-Replayed: true).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
KEYS_OVERRIDE = tonumber(os.getenv("BENCH_IDEM_KEYS") or "") or 100
dofile(here .. "handoff.lua")
KEYS = KEYS_OVERRIDE

local base_headers = request_headers
function request_headers(i)
  local h = base_headers(i)
  h["Idempotency-Key"] = "idem-" .. SALT .. "-" .. i
  return h
end
