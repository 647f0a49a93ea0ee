"""``IdempotencyStore`` in Redis: one hash per Idempotency-Key.

Fields: ``fp`` (payload fingerprint), and once finished ``status`` and ``body`` (the exact
bytes). A hash with ``fp`` alone is the in-flight marker; it lives for the lease.
"""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.stores.redis.base import DEFAULT_NAMESPACE, RedisStore, to_ms, translate_errors
from application.ports import IdempotencyRecord, IdempotencyState, StoredResponse

# KEYS[1]: the key's hash. ARGV[1]: fingerprint, ARGV[2]: lease in ms.
# Returns {0} STARTED, {1, status, body} REPLAY, {2} CONFLICT, {3} IN_FLIGHT.
BEGIN = """
local entry = redis.call('HMGET', KEYS[1], 'fp', 'status', 'body')
if not entry[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'fp', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {0}
end
if entry[1] ~= ARGV[1] then
  return {2}
end
if not entry[2] then
  return {3}
end
return {1, entry[2], entry[3] or ''}
"""

# KEYS[1]: the key's hash. ARGV: fingerprint, status, body, TTL in ms.
COMPLETE = """
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'status', ARGV[2], 'body', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS[1]: the key's hash. ARGV[1]: fingerprint. Drops only an in-flight marker with that print.
ABANDON = """
local entry = redis.call('HMGET', KEYS[1], 'fp', 'status')
if entry[1] == ARGV[1] and not entry[2] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

_STARTED, _REPLAY, _CONFLICT, _IN_FLIGHT = 0, 1, 2, 3


class RedisIdempotencyStore(RedisStore):
    """Idempotency keys -> fingerprint and stored response (absent while in flight)."""

    def __init__(self, redis: Redis, namespace: str = DEFAULT_NAMESPACE) -> None:
        super().__init__(redis, namespace, "idem")
        self._begin = redis.register_script(BEGIN)
        self._complete = redis.register_script(COMPLETE)
        self._abandon = redis.register_script(ABANDON)

    async def begin(self, key: str, fingerprint: str, lease_seconds: float) -> IdempotencyRecord:
        with translate_errors("idempotency begin"):
            reply = await self._begin(
                keys=[self._key(key)], args=[fingerprint, to_ms(lease_seconds)]
            )
        state = int(reply[0])
        if state == _STARTED:
            return IdempotencyRecord(IdempotencyState.STARTED)
        if state == _CONFLICT:
            return IdempotencyRecord(IdempotencyState.CONFLICT)
        if state == _IN_FLIGHT:
            return IdempotencyRecord(IdempotencyState.IN_FLIGHT)
        response = StoredResponse(status=int(reply[1]), body=bytes(reply[2]))
        return IdempotencyRecord(IdempotencyState.REPLAY, response)

    async def complete(
        self, key: str, fingerprint: str, response: StoredResponse, ttl_seconds: float
    ) -> None:
        with translate_errors("idempotency complete"):
            await self._complete(
                keys=[self._key(key)],
                args=[fingerprint, response.status, response.body, to_ms(ttl_seconds)],
            )

    async def abandon(self, key: str, fingerprint: str) -> None:
        with translate_errors("idempotency abandon"):
            await self._abandon(keys=[self._key(key)], args=[fingerprint])
