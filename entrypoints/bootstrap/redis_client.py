"""The Redis client behind the Redis-backed stores: one client (one connection pool) per process.

A ``Resource`` of the container's Redis store family, so it is created only when
STORE_BACKEND=redis and the container is opened (never at import time), and closed when the
container shuts down. Each uvicorn worker opens its own container, hence its own pool.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from entrypoints.config.settings import RedisSettings

CLIENT_NAME = "helpdesk-bridge"


def redis_client(settings: RedisSettings) -> Redis:
    """A client for ``redis://`` or ``rediss://`` (TLS) ``settings.url``, bytes in and out.

    - ``BlockingConnectionPool``: past ``max_connections`` a command waits for a free connection
      (at most the socket timeout) instead of failing at once with "Too many connections".
    - One retry, on connection errors only: a pooled connection that died (Redis restarted, a
      proxy dropped it) is replaced transparently; a timeout is never retried (the command may
      have run), it surfaces as ``StoreUnavailable``.
    - ``health_check_interval``: a connection idle longer than this is PINGed before reuse.
    Connections open on first use, not here.
    """
    pool = BlockingConnectionPool.from_url(
        settings.url,
        timeout=settings.socket_timeout_seconds,
        max_connections=settings.max_connections,
        socket_timeout=settings.socket_timeout_seconds,
        socket_connect_timeout=settings.connect_timeout_seconds,
        health_check_interval=settings.health_check_interval_seconds,
        retry=Retry(
            ExponentialBackoff(cap=0.1, base=0.01), 1, supported_errors=(RedisConnectionError,)
        ),
        client_name=CLIENT_NAME,
        decode_responses=False,
    )
    return Redis.from_pool(pool)  # the client owns the pool: aclose closes it
