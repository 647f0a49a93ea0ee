"""The dedup index's Lua scripts: every operation that touches several keys runs as one script,
atomic across processes, and a claim is one round trip.

Values: ``t:`` + the ``TicketRef`` as msgspec JSON (a ticket); ``q:`` + reference + ``|`` + the
JSON (a queued marker: the reference is readable without decoding JSON); ``c:`` + owner + ``|``
+ the lease's end in ms (a claim, written with a TTL of lease + remember: past its lease it is a
lapsed claim, taken over as uncertain); ``u:`` + owner (an uncertain claim: its create may have
landed). A ``c:`` + owner without ``|`` is a claim written by a version from before lapsed
claims were remembered (its TTL is its lease). ``KEYS[1]`` of the claim and born scripts is the
index's birth key: the time (ms, from Redis's clock) since which it has held everything written
to it, set when missing - so it is gone, and set anew, whenever the index is lost.
"""

from __future__ import annotations

BORN_TTL_MS = 7 * 86_400 * 1000
"""The birth key lives a week past the index's last claim: an index idle that long vouches for
itself only a dedup window after its next claim (safe: a young index asks the helpdesk), and no
key of the bridge's lives for ever."""

# Redis's clock in ms, the birth key read (and set when missing), its week renewed - the head of
# the claim and born scripts.
_NOW_AND_BORN = f"""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local born = redis.call('GET', KEYS[1])
if not born then
  born = tostring(now)
  redis.call('SET', KEYS[1], born, 'PX', {BORN_TTL_MS})
else
  redis.call('PEXPIRE', KEYS[1], {BORN_TTL_MS})
end
"""

# KEYS[1]: the birth key; KEYS[2..]: dedup keys, strongest first. ARGV[1]: this owner's claim
# marker (c:owner), ARGV[2]: lease in ms, ARGV[3]: the reference of a queued marker that counts as
# free ('' for none), ARGV[4]: how long a lapsed claim is remembered, in ms.
# Returns {0, uncertain, born} WON, {1, ticket json, born} FOUND, {2, 0, born} BUSY. On FOUND the
# keys that hold nothing get the same value with the same remaining TTL (SET NX PX).
CLAIM = (
    _NOW_AND_BORN
    + """
local busy = false
local uncertain = 0
local mine = ARGV[1] .. '|'
for i = 2, #KEYS do
  local value = redis.call('GET', KEYS[i])
  if value then
    local tag = string.sub(value, 1, 2)
    local json = nil
    if tag == 't:' then
      json = string.sub(value, 3)
    elseif tag == 'q:' then
      local bar = string.find(value, '|', 3, true)
      if string.sub(value, 3, bar - 1) ~= ARGV[3] then
        json = string.sub(value, bar + 1)
      end
    elseif tag == 'u:' then
      uncertain = 1
    else
      local bar = string.find(value, '|', 3, true)
      local ends = bar and tonumber(string.sub(value, bar + 1))
      if ends and ends <= now then
        uncertain = 1
      elseif value ~= ARGV[1] and string.sub(value, 1, #mine) ~= mine then
        busy = true
      end
    end
    if json then
      local ttl = redis.call('PTTL', KEYS[i])
      if ttl > 0 then
        for j = 2, #KEYS do
          redis.call('SET', KEYS[j], value, 'NX', 'PX', ttl)
        end
      end
      return {1, json, born}
    end
  end
end
if busy then
  return {2, 0, born}
end
local lease = tonumber(ARGV[2])
local claim = mine .. tostring(now + lease)
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], claim, 'PX', lease + tonumber(ARGV[4]))
end
return {0, uncertain, born}
"""
)

# KEYS[1]: the birth key. Returns it (set to now when missing).
BORN = _NOW_AND_BORN + "return born\n"

# KEYS: dedup keys. ARGV[1]: the ticket value, ARGV[2]: TTL in ms. Sets every key.
FULFIL = """
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return #KEYS
"""

# Whether a value is this owner's claim (ARGV[1] = c:owner), in either format.
_MINE = """
local function mine(value)
  return value == ARGV[1] or string.sub(value, 1, #ARGV[1] + 1) == ARGV[1] .. '|'
end
"""

# KEYS: dedup keys. ARGV[1]: this owner's claim marker. Deletes only this owner's claims.
RELEASE = (
    _MINE
    + """
local dropped = 0
for _, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value and mine(value) then
    redis.call('DEL', key)
    dropped = dropped + 1
  end
end
return dropped
"""
)

# KEYS: dedup keys. ARGV[1]: this owner's claim marker, ARGV[2]: its uncertain marker,
# ARGV[3]: TTL in ms. The keys holding the owner's claim, or nothing, get the uncertain one.
MARK_UNCERTAIN = (
    _MINE
    + """
local marked = 0
for _, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value or mine(value) then
    redis.call('SET', key, ARGV[2], 'PX', ARGV[3])
    marked = marked + 1
  end
end
return marked
"""
)
