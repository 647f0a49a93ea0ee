-- hmac.lua: like handoff.lua, but every request is HMAC-signed instead of using x-auth-token:
--   x-timestamp: <unix ms>
--   x-signature: sha256=<hex HMAC-SHA256(secret, timestamp .. rawBody)>
-- Signed per request (a fresh timestamp, so no signature repeats and the replay guard passes).
-- wrk's Lua has no HMAC: LuaJIT's FFI calls OpenSSL's one-shot HMAC() from libcrypto, which
-- wrk links. Env: BENCH_HMAC_SECRET (bench-secret) = the server's WEBHOOK_SECRET.
-- (Derived from ../shared/peers/hmac-post.lua.)

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "handoff.lua")

local ffi = require("ffi")
ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                    const char *d, size_t n, unsigned char *md, unsigned int *md_len);
struct bench_timeval { long tv_sec; long tv_usec; };
int gettimeofday(struct bench_timeval *tv, void *tz);
]]

local crypto = ffi.C
if not pcall(function() return ffi.C.HMAC end) then
  local ok, lib = pcall(ffi.load, "crypto")
  if not ok then ok, lib = pcall(ffi.load, "libcrypto.so.3") end
  assert(ok, "hmac.lua: cannot find OpenSSL libcrypto for HMAC")
  crypto = lib
end

local SECRET = os.getenv("BENCH_HMAC_SECRET") or "bench-secret"
local md = ffi.new("unsigned char[32]")
local mdlen = ffi.new("unsigned int[1]")
local tv = ffi.new("struct bench_timeval")
local HEX = {}
for b = 0, 255 do HEX[b] = string.format("%02x", b) end

local function hmac_hex(msg)
  crypto.HMAC(crypto.EVP_sha256(), SECRET, #SECRET, msg, #msg, md, mdlen)
  local out = {}
  for k = 0, 31 do out[k + 1] = HEX[md[k]] end
  return table.concat(out)
end

local headers

local base_init = init
function init(args)
  base_init(args)
  headers = { ["Host"] = wrk.host .. ":" .. wrk.port, ["Content-Type"] = "application/json" }
end

function request()
  local i = counter % KEYS
  counter = counter + 1
  local body = bodies[i]
  ffi.C.gettimeofday(tv, nil)
  local ms = tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
  local ts = string.format("%.0f", ms)
  headers["x-timestamp"] = ts
  headers["x-signature"] = "sha256=" .. hmac_hex(ts .. body)
  return wrk.format("POST", PATH, headers, body)
end
