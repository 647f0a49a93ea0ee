"""The Redis client behind the Redis-backed stores: one client (one connection pool) per process.

Created by the container only when STORE_BACKEND=redis and a store is first resolved (never at
import time), and closed by ``close_container`` at the end of the app's lifespan. Each uvicorn
worker builds its own container, so each worker process has its own pool.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from entrypoints.opened_clients import OpenedClients

CLIENT_NAME = "helpdesk-bridge"


def open_redis(
    clients: OpenedClients,
    url: str,
    socket_timeout: float,
    connect_timeout: float,
    max_connections: int,
    health_check_interval: int,
) -> Redis:
    """A client for ``redis://`` or ``rediss://`` (TLS) ``url``, bytes in and out.

    - ``BlockingConnectionPool``: past ``max_connections`` a command waits for a free connection
      (at most ``socket_timeout``) instead of failing at once with "Too many connections".
    - One retry, on connection errors only: a pooled connection that died (Redis restarted, a
      proxy dropped it) is replaced transparently; a timeout is never retried (the command may
      have run), it surfaces as ``StoreUnavailable``.
    - ``health_check_interval``: a connection idle longer than this is PINGed before reuse.
    """
    pool = BlockingConnectionPool.from_url(
        url,
        timeout=socket_timeout,
        max_connections=max_connections,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        health_check_interval=health_check_interval,
        retry=Retry(
            ExponentialBackoff(cap=0.1, base=0.01), 1, supported_errors=(RedisConnectionError,)
        ),
        client_name=CLIENT_NAME,
        decode_responses=False,
    )
    return clients.track(Redis.from_pool(pool))  # the client owns the pool: aclose closes it
