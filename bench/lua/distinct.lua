-- distinct.lua: handoff.lua with a body of its own for every request: a new oaKey and a new
-- caller number each time, so no hand-off dedups against another (the outbox benchmark: with
-- the helpdesk down every request is queued, and each queued item is one ticket to deliver).
--
--   BENCH_SALT=N wrk -t1 -c32 -d5s --latency -s bench/lua/distinct.lua http://127.0.0.1:PORT/...
--
-- Request i of a run with salt N calls from +1415 2000000 + N*BLOCK + i (BLOCK = 100000, so up
-- to 80 runs of fewer than 100k requests each never share a number on one server) with oaKey
-- "oa-d<N>-<i>". Bodies are built per request (the generator pays a string.format each).
-- Statuses are always tallied (CHECK line), since the point is that every answer is a 202.
--
-- Env: BENCH_TOKEN (bench-token), BENCH_SALT (the clock), CHECK=1 (set by the benchmark).

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "handoff.lua")

local BLOCK = 100000
local BASE = 2000000 + (SALT % 80) * BLOCK

function handoff_body(i)
  local caller = string.format("+1415%07d", BASE + (i % BLOCK))
  return '{"note":"Category: WiFi\\nReason: TwoStepsNoResolve\\n'
    .. 'Summary: Caller reports intermittent WiFi drops after two troubleshooting steps.\\n'
    .. 'Confidence: 0.85","category":"WiFi","escalationReason":"TwoStepsNoResolve",'
    .. '"confidence":"0.85","callerNumber":"' .. caller .. '","oaKey":"oa-d' .. SALT .. '-' .. i
    .. '","source":"bench"}'
end

local headers = nil

function init(args)
  PATH = target_path()
  headers = request_headers(0)
end

function request()
  local i = counter
  counter = counter + 1
  return wrk.format("POST", PATH, headers, handoff_body(i))
end
