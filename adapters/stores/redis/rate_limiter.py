"""``RateLimiter`` in Redis: a fixed window per client, counted atomically in one Lua script.

Windows are aligned to the Redis server's clock (``TIME``), not to each instance's, so every
instance counts into the same window: one budget for the whole fleet. The counter is a hash
``{w: window number, n: hits}``, reset when the window number changes, expiring after two
windows of silence.
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from adapters.stores.redis.base import DEFAULT_NAMESPACE, RedisStore, translate_errors
from application.ports import RateDecision

# KEYS[1]: the client's counter. ARGV[1]: window length in microseconds (integer).
# Returns {hits in this window, microseconds until the window ends}.
HIT = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window_us = tonumber(ARGV[1])
local window = math.floor(now_us / window_us)
local window_id = string.format('%d', window)
local hits
if redis.call('HGET', KEYS[1], 'w') == window_id then
  hits = redis.call('HINCRBY', KEYS[1], 'n', 1)
else
  redis.call('HSET', KEYS[1], 'w', window_id, 'n', 1)
  redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil(2 * window_us / 1000)))
  hits = 1
end
return {hits, (window + 1) * window_us - now_us}
"""


class RedisRateLimiter(RedisStore):
    """A fixed window per client (one second by default): ``limit`` requests per window."""

    def __init__(
        self,
        redis: Redis,
        limit: int,
        window_seconds: float = 1.0,
        namespace: str = DEFAULT_NAMESPACE,
    ) -> None:
        super().__init__(redis, namespace, "rate")
        self._limit = limit
        self._window_us = max(1, round(window_seconds * 1_000_000))
        self._hit = redis.register_script(HIT)

    async def hit(self, client: str) -> RateDecision:
        with translate_errors("rate limiter"):
            reply = await self._hit(keys=[self._key(client)], args=[self._window_us])
        used, left_us = int(reply[0]), int(reply[1])
        return RateDecision(
            allowed=used <= self._limit,
            limit=self._limit,
            remaining=max(0, self._limit - used),
            reset_seconds=max(1, math.ceil(left_us / 1_000_000)),
        )
