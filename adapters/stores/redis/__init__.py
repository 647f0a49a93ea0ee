"""Redis-backed stores: shared state for many instances of the bridge.

Each store receives a ``redis.asyncio.Redis`` client (created and closed by the entrypoints,
with ``decode_responses=False``) and a key prefix, and behaves at its port exactly like its
in-memory twin in ``adapters.stores.memory``. Every read-decide-write runs as one Lua script
(sent once, then called by SHA), so it is atomic across processes. Redis failures surface as
``application.errors.StoreUnavailable``.
"""

from __future__ import annotations

from adapters.stores.redis.idempotency import RedisIdempotencyStore
from adapters.stores.redis.rate_limiter import RedisRateLimiter
from adapters.stores.redis.replay_guard import RedisReplayGuard
from adapters.stores.redis.requesters import RedisRequesterCache
from adapters.stores.redis.ticket_index import RedisTicketIndex

__all__ = [
    "RedisIdempotencyStore",
    "RedisRateLimiter",
    "RedisReplayGuard",
    "RedisRequesterCache",
    "RedisTicketIndex",
]
