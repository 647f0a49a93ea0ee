"""Redis adapters when Redis is not there: every operation raises ``StoreUnavailable`` quickly
(the redis error kept as ``__cause__``) and health says False instead of raising.

No Redis server is needed: one client points at a closed port, the other at a socket that
accepts connections and never answers (a hung server).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import redis.asyncio
from redis.exceptions import RedisError

from adapters.stores.redis import (
    RedisIdempotencyStore,
    RedisRateLimiter,
    RedisReplayGuard,
    RedisTicketIndex,
)
from application.errors import StoreUnavailable
from application.ports import StoredResponse
from domain.ticket import TicketRef
from tests.support.stores.redis_clients import short_client

QUICKLY = 1.5  # seconds; socket timeouts below are 0.2 s
TICKET = TicketRef(id="TKT-1", url="https://help.example.com/t/1", created_at=1_700_000_000.0)

Operation = Callable[[redis.asyncio.Redis], Awaitable[object]]

OPERATIONS: dict[str, Operation] = {
    "claim": lambda r: RedisTicketIndex(r).claim(["k"], "alice", 30),
    "fulfil": lambda r: RedisTicketIndex(r).fulfil(["k"], "alice", TICKET, 60),
    "release": lambda r: RedisTicketIndex(r).release(["k"], "alice"),
    "begin": lambda r: RedisIdempotencyStore(r).begin("k", "fp", 30),
    "complete": lambda r: RedisIdempotencyStore(r).complete(
        "k", "fp", StoredResponse(201, b"{}"), 60
    ),
    "abandon": lambda r: RedisIdempotencyStore(r).abandon("k", "fp"),
    "first_use": lambda r: RedisReplayGuard(r).first_use("sig", 300),
    "hit": lambda r: RedisRateLimiter(r, limit=5).hit("client"),
}

HEALTH: dict[str, Callable[[redis.asyncio.Redis], Awaitable[bool]]] = {
    "ticket_index": lambda r: RedisTicketIndex(r).check_health(),
    "idempotency": lambda r: RedisIdempotencyStore(r).check_health(),
    "replay_guard": lambda r: RedisReplayGuard(r).check_health(),
    "rate_limiter": lambda r: RedisRateLimiter(r, limit=5).check_health(),
}


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A port that accepts connections and never answers: a hung Redis."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.fixture(params=["closed port", "hung server"])
async def dead_redis(
    request: pytest.FixtureRequest, silent_port: int
) -> AsyncIterator[redis.asyncio.Redis]:
    port = 1 if request.param == "closed port" else silent_port
    client = short_client(port)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
async def test_every_operation_raises_store_unavailable_quickly(
    dead_redis: redis.asyncio.Redis, operation: Operation
) -> None:
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        await operation(dead_redis)
    assert time.monotonic() - started < QUICKLY
    assert isinstance(caught.value.__cause__, RedisError | OSError)
    assert caught.value.code == "STORE_UNAVAILABLE"


@pytest.mark.parametrize("check", HEALTH.values(), ids=HEALTH.keys())
async def test_health_is_false_not_an_error(
    dead_redis: redis.asyncio.Redis, check: Callable[[redis.asyncio.Redis], Awaitable[bool]]
) -> None:
    started = time.monotonic()
    assert await check(dead_redis) is False
    assert time.monotonic() - started < QUICKLY
