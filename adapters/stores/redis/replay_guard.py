"""``ReplayGuard`` in Redis: a signature is recorded with ``SET NX PX``, atomic by itself."""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.stores.redis.base import DEFAULT_NAMESPACE, RedisStore, to_ms, translate_errors


class RedisReplayGuard(RedisStore):
    """Signatures seen within the HMAC window, shared by every instance."""

    def __init__(self, redis: Redis, namespace: str = DEFAULT_NAMESPACE) -> None:
        super().__init__(redis, namespace, "replay")

    async def first_use(self, signature: str, ttl_seconds: float) -> bool:
        with translate_errors("replay guard"):
            created = await self._redis.set(
                self._key(signature), b"1", nx=True, px=to_ms(ttl_seconds)
            )
        return bool(created)
