"""``RequesterCache`` in Redis: one string key per caller number, with its TTL, shared by every
instance of a fleet (a caller one instance made a user for costs no other instance a look-up)."""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.stores.redis.base import DEFAULT_NAMESPACE, RedisStore, to_ms, translate_errors


class RedisRequesterCache(RedisStore):
    """Caller number -> helpdesk user id, shared by every instance."""

    def __init__(self, redis: Redis, namespace: str = DEFAULT_NAMESPACE) -> None:
        super().__init__(redis, namespace, "requester")

    async def get(self, caller_number: str) -> str | None:
        with translate_errors("requester cache read"):
            found = await self._redis.get(self._key(caller_number))
        if found is None:
            return None
        return found.decode() if isinstance(found, bytes) else str(found)

    async def put(self, caller_number: str, user_id: str, ttl_seconds: float) -> None:
        with translate_errors("requester cache write"):
            await self._redis.set(self._key(caller_number), user_id.encode(), px=to_ms(ttl_seconds))

    async def forget(self, caller_number: str) -> None:
        with translate_errors("requester cache forget"):
            await self._redis.delete(self._key(caller_number))
