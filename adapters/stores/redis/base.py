"""What every Redis store shares: the client, the key prefix, error translation, health."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from application.errors import StoreUnavailable

DEFAULT_NAMESPACE = "hdb:"

# redis-py raises RedisError subclasses (ConnectionError, TimeoutError, ResponseError, ...);
# OSError covers what may escape from the socket layer (the builtin TimeoutError is one).
REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError)


def to_ms(seconds: float) -> int:
    """A TTL for ``PX``: whole milliseconds, at least 1 (Redis refuses 0 and negatives)."""
    return max(1, math.ceil(seconds * 1000))


@contextmanager
def translate_errors(operation: str) -> Iterator[None]:
    """Turn any Redis or socket failure inside the block into ``StoreUnavailable``."""
    try:
        yield
    except REDIS_FAILURES as e:
        raise StoreUnavailable(f"Shared store (Redis) failed during {operation}") from e


class RedisStore:
    """Base of the Redis stores: keys are ``{namespace}{kind}:{name}``; health is a PING."""

    def __init__(self, redis: Redis, namespace: str, kind: str) -> None:
        if redis.connection_pool.connection_kwargs.get("decode_responses", False):
            raise ValueError(
                "Redis stores need a client with decode_responses=False: bodies are raw bytes"
            )
        self._redis = redis
        self._prefix = f"{namespace}{kind}:"

    def _key(self, name: str) -> str:
        return self._prefix + name

    async def check_health(self) -> bool:
        """True when Redis answers a PING right now; never raises for a Redis failure."""
        try:
            return bool(await self._redis.ping())
        except REDIS_FAILURES:
            return False
