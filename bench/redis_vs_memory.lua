-- redis_vs_memory.lua: the wrk load of bench/redis_vs_memory.py - valid hand-offs, token auth.
--
--   wrk -t1 -c32 -d4s -s bench/redis_vs_memory.lua http://127.0.0.1:PORT/ingest/oa-handoff
--
-- Request n of a run carries oaKey "bench-<run>-<n % PROBLEMS>": the first PROBLEMS requests
-- file new tickets, every later one is deduplicated by its oaKey (the common path in
-- production: agents retry and several agents report the same problem). Bodies are built once
-- in init(), so wrk spends no Lua time per request beyond picking one.
-- At the end one line "BENCH_JSON {...}" carries the numbers (latency in microseconds).
--
-- Env: BENCH_TOKEN (bench-token), BENCH_RUN (a label unique to the run), BENCH_PROBLEMS (500).

local token = os.getenv("BENCH_TOKEN") or "bench-token"
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local problems = tonumber(os.getenv("BENCH_PROBLEMS") or "") or 500

local note = "Category: Outage\\nReason: TwoStepsNoResolve\\n"
  .. "Summary: Area outage reported by several callers since the morning\\nConfidence: 0.9"

local prepared = {}
local next_index = 0

function init(args)
  local path = wrk.path
  if path == nil or path == "" or path == "/" then path = "/ingest/oa-handoff" end
  for n = 0, problems - 1 do
    local body = '{"note":"' .. note .. '","oaKey":"bench-' .. run .. '-' .. n
      .. '","source":"bench"}'
    prepared[n] = wrk.format("POST", path, {
      ["Content-Type"] = "application/json",
      ["x-auth-token"] = token,
    }, body)
  end
end

function request()
  local prepared_request = prepared[next_index % problems]
  next_index = next_index + 1
  return prepared_request
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"non_2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
