"""``HelpdeskBudget`` in Redis: one budget for the whole fleet.

Two keys under the namespace: ``budget:blocked``, whose expiry *is* the end of the helpdesk's
Retry-After (``PTTL`` reads what is left; a later end replaces an earlier one, never the
reverse), and ``budget:pace``, the pace's GCRA state (``adapters.stores.memory_budget``: the
theoretical arrival time of the next call, in microseconds of the Redis server's clock, so
every instance paces against the same time). Both changes are one Lua script each, atomic
across processes.
"""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.stores.memory_budget import Pace
from adapters.stores.redis.base import DEFAULT_NAMESPACE, RedisStore, to_ms, translate_errors

# KEYS[1]: the blocked key. ARGV[1]: the Retry-After in ms. Keeps the later of the two ends.
BACK_OFF = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""

# KEYS[1]: the pace key. ARGV[1]: interval, ARGV[2]: burst tolerance, both in microseconds.
# Returns 0 (granted, taken) or the microseconds until a call would be granted (nothing taken).
TAKE = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now_us then
  tat = now_us
end
local allowed_at = tat - tolerance
if now_us < allowed_at then
  return allowed_at - now_us
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX',
  string.format('%d', math.ceil((next_tat - now_us) / 1000) + 1000))
return 0
"""


class RedisHelpdeskBudget(RedisStore):
    """The helpdesk's remembered Retry-After and the optional pace (None: unpaced), shared by
    every instance on ``namespace``."""

    def __init__(
        self, redis: Redis, namespace: str = DEFAULT_NAMESPACE, per_minute: int | None = None
    ) -> None:
        super().__init__(redis, namespace, "budget")
        self._pace = Pace.per_minute(per_minute) if per_minute is not None else None
        self._back_off = redis.register_script(BACK_OFF)
        self._take = redis.register_script(TAKE)

    async def blocked_for(self) -> float:
        with translate_errors("helpdesk budget read"):
            left_ms = int(await self._redis.pttl(self._key("blocked")))
        return max(0, left_ms) / 1000

    async def back_off(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with translate_errors("helpdesk budget back-off"):
            await self._back_off(keys=[self._key("blocked")], args=[to_ms(seconds)])

    async def take(self) -> float:
        pace = self._pace
        if pace is None:
            return 0.0
        with translate_errors("helpdesk budget take"):
            wait_us = await self._take(
                keys=[self._key("pace")],
                args=[_micros(pace.interval), _micros(pace.tolerance)],
            )
        return int(wait_us) / 1_000_000


def _micros(seconds: float) -> int:
    return round(seconds * 1_000_000)
