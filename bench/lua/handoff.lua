-- handoff.lua: POST /ingest/oa-handoff with x-auth-token, a create + dedup mix.
-- (Derived from ../shared/peers/post.lua so both servers see byte-identical load.)
--
--   wrk -t1 -c32 -d5s --latency -s bench/lua/handoff.lua http://127.0.0.1:PORT/ingest/oa-handoff
--
-- Request i uses oaKey "oa-<salt>-<i % KEYS>" and caller (i % (KEYS/2)), so one run hits:
--   * KEYS/2 creates (new oaKey, new caller),
--   * KEYS/2 dedups found by caller + category (new oaKey, caller already seen),
--   * every later request a dedup found by oaKey.
-- <salt> changes every run (BENCH_SALT, else the clock), so a long-lived server creates afresh.
-- Bodies and requests are built once in init(): the generator spends no Lua time per request.
--
-- Env: BENCH_TOKEN (bench-token), BENCH_KEYS (500), BENCH_SALT, CHECK=1 (tally statuses).

local TOKEN = os.getenv("BENCH_TOKEN") or "bench-token"
KEYS = tonumber(os.getenv("BENCH_KEYS") or "") or 500
local CALLERS = math.max(1, math.floor(KEYS / 2))
SALT = tonumber(os.getenv("BENCH_SALT") or "") or (os.time() % 16000)

-- JSON-escaped newlines (\\n in Lua gives the two characters \ and n).
local NOTE = "Category: WiFi\\nReason: TwoStepsNoResolve\\n"
  .. "Summary: Caller reports intermittent WiFi drops after two troubleshooting steps.\\n"
  .. "Confidence: 0.85"

function handoff_body(i)
  -- +1 415 NXX-XXXX with N in 2..9: every number is a valid NANP/E.164 number.
  local caller = string.format("+1415%07d", 2000000 + (SALT * CALLERS + (i % CALLERS)) % 8000000)
  return '{"note":"' .. NOTE .. '","category":"WiFi","escalationReason":"TwoStepsNoResolve",'
    .. '"confidence":"0.85","callerNumber":"' .. caller .. '","oaKey":"oa-' .. SALT .. '-' .. i
    .. '","source":"bench"}'
end

function target_path()
  if wrk.path ~= nil and wrk.path ~= "" and wrk.path ~= "/" then return wrk.path end
  return "/ingest/oa-handoff"
end

-- Headers of request i (scripts that dofile this one override it).
function request_headers(i)
  return {
    ["Host"] = wrk.host .. ":" .. wrk.port,
    ["Content-Type"] = "application/json",
    ["x-auth-token"] = TOKEN,
  }
end

counter = 0
bodies = {}
requests = {}

function init(args)
  PATH = target_path()
  for i = 0, KEYS - 1 do
    bodies[i] = handoff_body(i)
    requests[i] = wrk.format("POST", PATH, request_headers(i), bodies[i])
  end
end

function request()
  local i = counter % KEYS
  counter = counter + 1
  return requests[i]
end

-- CHECK=1: every response goes through Lua (costs generator CPU): for correctness runs only.
if os.getenv("CHECK") == "1" then
  codes = {}
  created_true = 0
  created_false = 0
  replayed = 0
  function response(status, headers, body)
    local k = tostring(status)
    codes[k] = (codes[k] or 0) + 1
    if headers["Idempotent-Replayed"] or headers["idempotent-replayed"] then
      replayed = replayed + 1
    end
    if body then
      if body:find('"created":true', 1, true) then created_true = created_true + 1
      elseif body:find('"created":false', 1, true) then created_false = created_false + 1 end
    end
  end
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests_)
  local secs = summary.duration / 1e6
  local e = summary.errors
  local sock = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d requests=%d socket_errors=%d\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, summary.requests, sock))
  if os.getenv("CHECK") == "1" then
    local agg, ct, cf, rp = {}, 0, 0, 0
    for _, t in ipairs(threads) do
      for k, v in pairs(t:get("codes") or {}) do agg[k] = (agg[k] or 0) + v end
      ct = ct + (t:get("created_true") or 0)
      cf = cf + (t:get("created_false") or 0)
      rp = rp + (t:get("replayed") or 0)
    end
    local parts = {}
    for k, v in pairs(agg) do table.insert(parts, k .. "=" .. v) end
    table.sort(parts)
    io.write("CHECK status " .. table.concat(parts, " ") .. " created_true=" .. ct
      .. " created_false=" .. cf .. " replayed=" .. rp .. "\n")
  end
end
