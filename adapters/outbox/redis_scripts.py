"""The Lua scripts of ``RedisOutbox``: each multi-key step runs as one script, so it is atomic
across every process sharing the Redis.

Keys under the outbox prefix ``P`` (ARGV[1] of every script):
  P..'item:'..ref   hash: the item's fields, plus lease_owner / lease_until while leased
  P..'queued' / P..'delivered' / P..'dead'   zsets of references by queued_at: the state index
                    (counts, listing oldest first; equal scores order by reference)
  P..'waiting'      zset by next_attempt_at: QUEUED, not leased, maybe not due yet
  P..'ready'        zset by queued_at: QUEUED, due, not leased - what ``lease`` takes, oldest first
  P..'leased'       zset by lease_until: QUEUED and leased; an expired lease goes back to ready
  P..'key:'..dedup  string: the reference of the QUEUED item holding that dedup key
  P..'notes:'..ref  hash: note key -> body, the item's pending notes
  P..'note_order:'..ref   list: those note keys in the order kept

Each QUEUED item is in exactly one of waiting / ready / leased. ``lease`` first moves what is
due from waiting and what has an expired lease from leased into ready (each item once per
wait, so the cost follows what became due, not the depth), then leases the oldest of ready.
Times arrive as Python's exact float text and are stored as given (Lua's own number printing
would round them).
"""

from __future__ import annotations

# Prepended to the scripts about one item (ARGV[2] is its reference): its keys, its state, and
# the steps they share. ``end_lease`` takes it off the schedule; ``leave`` also frees its dedup
# keys when it stops being QUEUED; ``move_to`` changes its state and state index.
_ONE_ITEM = """
local P, ref = ARGV[1], ARGV[2]
local item = P .. 'item:' .. ref
local state = redis.call('HGET', item, 'state')
local function end_lease()
  redis.call('ZREM', P .. 'waiting', ref)
  redis.call('ZREM', P .. 'ready', ref)
  redis.call('ZREM', P .. 'leased', ref)
  redis.call('HDEL', item, 'lease_owner', 'lease_until')
end
local function leave()
  end_lease()
  if state == 'queued' then
    for _, key in ipairs(cjson.decode(redis.call('HGET', item, 'dedup_keys'))) do
      if redis.call('GET', P .. 'key:' .. key) == ref then
        redis.call('DEL', P .. 'key:' .. key)
      end
    end
  end
end
local function drop_notes()
  redis.call('DEL', P .. 'notes:' .. ref, P .. 'note_order:' .. ref)
end
local function move_to(new_state)
  redis.call('ZREM', P .. state, ref)
  redis.call('ZADD', P .. new_state, redis.call('HGET', item, 'queued_at'), ref)
  redis.call('HSET', item, 'state', new_state)
end
"""

# KEYS[1]: the item hash; KEYS[2..]: its dedup keys' index keys, strongest first.
# ARGV: P, reference, state, queued_at, next_attempt_at, then the hash's field/value pairs.
# Returns {0} kept, {1, holder's HGETALL} deduplicated, {2} reference taken.
PUT = """
local P = ARGV[1]
for i = 2, #KEYS do
  local holder = redis.call('GET', KEYS[i])
  if holder and redis.call('HGET', P .. 'item:' .. holder, 'state') == 'queued' then
    return {1, redis.call('HGETALL', P .. 'item:' .. holder)}
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {2}
end
local ref, state = ARGV[2], ARGV[3]
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('ZADD', P .. state, ARGV[4], ref)
if state == 'queued' then
  redis.call('ZADD', P .. 'waiting', ARGV[5], ref)
  for i = 2, #KEYS do
    redis.call('SET', KEYS[i], ref)
  end
end
return {0}
"""

# ARGV: P, now, lease_until, limit (> 0), worker. Returns the leased items' HGETALLs.
LEASE = """
local P = ARGV[1]
local now, till, limit, worker = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
for _, from in ipairs({P .. 'waiting', P .. 'leased'}) do
  for _, ref in ipairs(redis.call('ZRANGEBYSCORE', from, '-inf', now)) do
    redis.call('ZREM', from, ref)
    local queued_at = redis.call('HGET', P .. 'item:' .. ref, 'queued_at')
    if queued_at then
      redis.call('ZADD', P .. 'ready', queued_at, ref)
    end
  end
end
local leased = {}
for _, ref in ipairs(redis.call('ZRANGE', P .. 'ready', 0, limit - 1)) do
  local item = P .. 'item:' .. ref
  redis.call('ZREM', P .. 'ready', ref)
  if redis.call('EXISTS', item) == 1 then  -- gone only if evicted: see docs/deployment.md
    redis.call('ZADD', P .. 'leased', till, ref)
    redis.call('HSET', item, 'lease_owner', worker, 'lease_until', till)
    leased[#leased + 1] = redis.call('HGETALL', item)
  end
end
return leased
"""

# ARGV: P, reference, now, ticket_id, ticket_url. Returns 1 when the item changed.
DELIVERED = (
    _ONE_ITEM
    + """
if not state or state == 'delivered' then
  return 0
end
leave()
drop_notes()
move_to('delivered')
redis.call('HSET', item, 'delivered_at', ARGV[3], 'ticket_id', ARGV[4], 'ticket_url', ARGV[5])
redis.call('HINCRBY', item, 'attempts', 1)
return 1
"""
)

# ARGV: P, reference, error, next_attempt_at. Returns 1 when the item changed.
POSTPONE = (
    _ONE_ITEM
    + """
if state ~= 'queued' then
  return 0
end
end_lease()
redis.call('ZADD', P .. 'waiting', ARGV[4], ref)
redis.call('HSET', item, 'last_error', ARGV[3], 'next_attempt_at', ARGV[4])
redis.call('HINCRBY', item, 'attempts', 1)
return 1
"""
)

# ARGV: P, reference, error. Returns 1 when the item changed.
KILL = (
    _ONE_ITEM
    + """
if state ~= 'queued' then
  return 0
end
leave()
move_to('dead')
redis.call('HSET', item, 'last_error', ARGV[3])
return 1
"""
)

# ARGV: P, reference, now. Returns 1 when the item is QUEUED and due now, 0 when there is no
# such item or it was delivered. A leased item keeps its lease (it may be being delivered); a
# dead one takes back the dedup keys no QUEUED item holds meanwhile.
RETRY = (
    _ONE_ITEM
    + """
if not state or state == 'delivered' then
  return 0
end
local now = ARGV[3]
if state == 'dead' then
  move_to('queued')
  for _, key in ipairs(cjson.decode(redis.call('HGET', item, 'dedup_keys'))) do
    local holder = redis.call('GET', P .. 'key:' .. key)
    if not holder or redis.call('HGET', P .. 'item:' .. holder, 'state') ~= 'queued' then
      redis.call('SET', P .. 'key:' .. key, ref)
    end
  end
end
redis.call('HSET', item, 'next_attempt_at', now)
if not redis.call('ZSCORE', P .. 'leased', ref) then
  redis.call('ZREM', P .. 'ready', ref)
  redis.call('ZADD', P .. 'waiting', now, ref)
end
return 1
"""
)

# ARGV: P, reference. Returns 1 when an item was deleted.
DROP = (
    _ONE_ITEM
    + """
if not state then
  return 0
end
leave()
drop_notes()
redis.call('ZREM', P .. state, ref)
redis.call('DEL', item)
return 1
"""
)

# ARGV: P, dedup key, note key, note body. Returns {} when no QUEUED item holds the key, else
# the holder's HGETALL; the note is kept (once per note key) only while no ticket is recorded.
ATTACH_NOTE = """
local P = ARGV[1]
local ref = redis.call('GET', P .. 'key:' .. ARGV[2])
if not ref then
  return {}
end
local item = P .. 'item:' .. ref
if redis.call('HGET', item, 'state') ~= 'queued' then
  return {}
end
if redis.call('HEXISTS', item, 'ticket_id') == 0 then
  if redis.call('HSETNX', P .. 'notes:' .. ref, ARGV[3], ARGV[4]) == 1 then
    redis.call('RPUSH', P .. 'note_order:' .. ref, ARGV[3])
  end
end
return redis.call('HGETALL', item)
"""

# ARGV: P, reference, ticket_id, ticket_url. Returns {} unless the item is QUEUED, else its
# notes as key, body, key, body, ... in the order kept (the ticket is recorded first).
TICKET_FILED = (
    _ONE_ITEM
    + """
if state ~= 'queued' then
  return {}
end
redis.call('HSET', item, 'ticket_id', ARGV[3], 'ticket_url', ARGV[4])
local notes = {}
for _, key in ipairs(redis.call('LRANGE', P .. 'note_order:' .. ref, 0, -1)) do
  notes[#notes + 1] = key
  notes[#notes + 1] = redis.call('HGET', P .. 'notes:' .. ref, key)
end
return notes
"""
)

# ARGV: P, limit (> 0), then the state zsets to read. Returns, per state, its oldest items'
# HGETALLs (the caller merges them by age).
ITEMS = """
local P, limit = ARGV[1], tonumber(ARGV[2])
local found = {}
for i = 3, #ARGV do
  for _, ref in ipairs(redis.call('ZRANGE', P .. ARGV[i], 0, limit - 1)) do
    local item = redis.call('HGETALL', P .. 'item:' .. ref)
    if #item > 0 then
      found[#found + 1] = item
    end
  end
end
return found
"""
