"""Redis clients for the contract tests: built as the service builds them, one per "process",
under a test-unique key prefix that is deleted when the test ends; and a client that gives up
at once, for a Redis that is not there."""

from __future__ import annotations

import uuid

import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from entrypoints.bootstrap.redis_client import redis_client
from entrypoints.config.settings import RedisSettings


class RedisClients:
    """Base of the Redis backends of the contract suites (stores, outbox)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self.namespace = f"hdb-test:{uuid.uuid4().hex}:"
        self._clients: list[redis.asyncio.Redis] = []

    def client(self) -> redis.asyncio.Redis:
        """A client as the service builds it (pool, retry, bytes), one per "process"."""
        client = redis_client(
            RedisSettings(url=self._url, socket_timeout_seconds=2.0, connect_timeout_seconds=2.0)
        )
        self._clients.append(client)
        return client

    async def aclose(self) -> None:
        cleaner = self.client()
        try:
            keys = [key async for key in cleaner.scan_iter(match=f"{self.namespace}*", count=500)]
            if keys:
                await cleaner.delete(*keys)
        finally:
            for client in self._clients:
                await client.aclose()


def short_client(port: int) -> redis.asyncio.Redis:
    """A client with 0.2 s timeouts and no retry: a dead or hung Redis on ``port`` fails fast."""
    return redis.asyncio.Redis(
        host="127.0.0.1",
        port=port,
        socket_connect_timeout=0.2,
        socket_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )
