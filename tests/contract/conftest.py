"""Fixtures for the store contract suites: every shared test runs against each adapter of its port.

``store_backend`` is parametrized over ``memory`` and ``redis``. Time is a capability of the
backend: ``now()`` and ``await elapse(seconds)`` move a manual clock for the memory adapters (no
real waits) and read/wait real time for Redis, whose expiry runs on the server's clock. Each of
its factory methods
returns a new *instance* of a store over the backend's one shared state, standing for one process
of the bridge: for memory that is the same object every time (its state lives in one process); for
Redis a new adapter on its own client (own connection pool, built as the service builds it), all
under one key prefix unique to the test, deleted afterwards.

The Redis tests need a real server at ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``).
Without one they fail under CI (``CI=true``) and are skipped, with the reason, elsewhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio

from adapters.clock import ManualClock
from adapters.stores.memory import (
    MemoryIdempotencyStore,
    MemoryRateLimiter,
    MemoryReplayGuard,
    MemoryTicketIndex,
)
from adapters.stores.redis import (
    RedisIdempotencyStore,
    RedisRateLimiter,
    RedisReplayGuard,
    RedisRequesterCache,
    RedisTicketIndex,
)
from adapters.stores.requesters import MemoryRequesterCache
from application.ports import Outbox
from tests.support.stores.outbox_backends import (
    MemoryOutboxBackend,
    OutboxBackend,
    RedisOutboxBackend,
    SqliteOutboxBackend,
)
from tests.support.stores.redis_clients import RedisClients
from tests.support.stores.store_time import Elapse


class MemoryBackend:
    """The in-memory adapters: one object per port, as in one process."""

    def __init__(self) -> None:
        clock = ManualClock()
        self._clock = clock
        self._index = MemoryTicketIndex(clock)
        self._idempotency = MemoryIdempotencyStore(clock)
        self._replay = MemoryReplayGuard(clock)
        self._requesters = MemoryRequesterCache(clock)
        self._limiters: dict[int, MemoryRateLimiter] = {}

    def ticket_index(self) -> MemoryTicketIndex:
        return self._index

    def idempotency_store(self) -> MemoryIdempotencyStore:
        return self._idempotency

    def replay_guard(self) -> MemoryReplayGuard:
        return self._replay

    def requester_cache(self) -> MemoryRequesterCache:
        return self._requesters

    def rate_limiter(self, limit: int) -> MemoryRateLimiter:
        return self._limiters.setdefault(limit, MemoryRateLimiter(self._clock, limit))

    def now(self) -> float:
        return self._clock.now()

    async def elapse(self, seconds: float) -> None:
        self._clock.advance(seconds)

    async def aclose(self) -> None:
        return None


class RedisBackend(RedisClients):
    """The Redis adapters, each instance on its own client, all under one test-unique prefix."""

    def ticket_index(self) -> RedisTicketIndex:
        return RedisTicketIndex(self.client(), namespace=self.namespace)

    def idempotency_store(self) -> RedisIdempotencyStore:
        return RedisIdempotencyStore(self.client(), namespace=self.namespace)

    def replay_guard(self) -> RedisReplayGuard:
        return RedisReplayGuard(self.client(), namespace=self.namespace)

    def requester_cache(self) -> RedisRequesterCache:
        return RedisRequesterCache(self.client(), namespace=self.namespace)

    def rate_limiter(self, limit: int) -> RedisRateLimiter:
        return RedisRateLimiter(self.client(), limit, namespace=self.namespace)

    def now(self) -> float:
        return time.time()  # the server runs on this machine: its TIME is this clock

    async def elapse(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


StoreBackend = MemoryBackend | RedisBackend


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store_backend(request: pytest.FixtureRequest) -> AsyncIterator[StoreBackend]:
    """Every adapter of the store ports, one test run each."""
    store: StoreBackend
    if request.param == "memory":
        store = MemoryBackend()
    else:
        store = RedisBackend(request.getfixturevalue("redis_url"))
    try:
        yield store
    finally:
        await store.aclose()


@pytest.fixture
def ticket_index(store_backend: StoreBackend) -> MemoryTicketIndex | RedisTicketIndex:
    return store_backend.ticket_index()


@pytest.fixture
def idempotency_store(
    store_backend: StoreBackend,
) -> MemoryIdempotencyStore | RedisIdempotencyStore:
    return store_backend.idempotency_store()


@pytest.fixture
def replay_guard(store_backend: StoreBackend) -> MemoryReplayGuard | RedisReplayGuard:
    return store_backend.replay_guard()


@pytest.fixture
def requester_cache(store_backend: StoreBackend) -> MemoryRequesterCache | RedisRequesterCache:
    return store_backend.requester_cache()


@pytest.fixture
def elapse(store_backend: StoreBackend) -> Elapse:
    """Let ``seconds`` pass for the stores under test (see the module docstring)."""
    return store_backend.elapse


@pytest.fixture(params=["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)])
async def outbox_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[OutboxBackend]:
    """Every Outbox adapter (the contract suites of test_outbox_*contract.py), one run each."""
    store: OutboxBackend
    if request.param == "memory":
        store = MemoryOutboxBackend()
    elif request.param == "sqlite":
        store = SqliteOutboxBackend(tmp_path / "outbox.sqlite3")
    else:
        store = RedisOutboxBackend(request.getfixturevalue("redis_url"))
    try:
        yield store
    finally:
        await store.aclose()


@pytest.fixture
def outbox(outbox_backend: OutboxBackend) -> Outbox:
    return outbox_backend.outbox()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    """A plain client of the shared Redis, for the Redis-specific extras to look inside."""
    client = redis.asyncio.Redis.from_url(redis_url, socket_timeout=2.0)
    try:
        yield client
    finally:
        await client.aclose()
