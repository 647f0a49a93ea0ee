"""Redis-specific extras beyond the shared contracts: what the adapters leave in Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from adapters.stores.redis import (
    RedisIdempotencyStore,
    RedisRateLimiter,
    RedisReplayGuard,
    RedisTicketIndex,
)
from application.ports import StoredResponse
from domain.ticket import TicketRef

pytestmark = pytest.mark.redis

TICKET = TicketRef(id="TKT-1", url="https://help.example.com/t/1", created_at=1_700_000_000.0)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(redis_url, socket_timeout=2.0)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def namespace(client: redis.asyncio.Redis) -> AsyncIterator[str]:
    prefix = f"hdb-test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)


async def test_every_key_is_under_the_namespace_and_expires(
    client: redis.asyncio.Redis, namespace: str
) -> None:
    index = RedisTicketIndex(client, namespace=namespace)
    await index.claim(["k:claimed"], "alice", 30)
    await index.claim(["k:filed"], "bob", 30)
    await index.fulfil(["k:filed"], "bob", TICKET, 60)
    await index.claim(["k:filed", "k:found-later"], "carol", 30)  # FOUND: fills k:found-later
    idempotency = RedisIdempotencyStore(client, namespace=namespace)
    await idempotency.begin("in-flight", "fp", 30)
    await idempotency.begin("done", "fp", 30)
    await idempotency.complete("done", "fp", StoredResponse(201, b"{}"), 60)
    await RedisReplayGuard(client, namespace=namespace).first_use("sig", 300)
    await RedisRateLimiter(client, limit=5, namespace=namespace).hit("client")

    keys = [key async for key in client.scan_iter(match=f"{namespace}*")]
    assert len(keys) == 7
    for key in keys:
        assert 0 < await client.pttl(key) <= 300_000, key


async def test_a_client_that_decodes_responses_is_refused(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
    try:
        with pytest.raises(ValueError, match="decode_responses=False"):
            RedisIdempotencyStore(client)
    finally:
        await client.aclose()


async def test_default_namespace_is_hdb(client: redis.asyncio.Redis) -> None:
    guard = RedisReplayGuard(client)
    signature = f"test-{uuid.uuid4().hex}"
    try:
        assert await guard.first_use(signature, 5) is True
        assert await client.exists(f"hdb:replay:{signature}") == 1
    finally:
        await client.delete(f"hdb:replay:{signature}")
