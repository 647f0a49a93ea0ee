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
from adapters.stores.redis.ticket_index_scripts import BORN_TTL_MS
from application.ports import StoredResponse
from domain.ticket import TicketRef

pytestmark = pytest.mark.redis

TICKET = TicketRef(id="TKT-1", url="https://help.example.com/t/1", created_at=1_700_000_000.0)


@pytest.fixture
async def namespace(redis_client: redis.asyncio.Redis) -> AsyncIterator[str]:
    prefix = f"hdb-test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = [key async for key in redis_client.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis_client.delete(*keys)


async def test_every_key_is_under_the_namespace_and_expires(
    redis_client: redis.asyncio.Redis, namespace: str
) -> None:
    index = RedisTicketIndex(redis_client, namespace=namespace)
    await index.claim(["k:claimed"], "alice", 30)
    await index.claim(["k:filed"], "bob", 30)
    await index.fulfil(["k:filed"], "bob", TICKET, 60)
    await index.claim(["k:filed", "k:found-later"], "carol", 30)  # FOUND: fills k:found-later
    idempotency = RedisIdempotencyStore(redis_client, namespace=namespace)
    await idempotency.begin("in-flight", "fp", 30)
    await idempotency.begin("done", "fp", 30)
    await idempotency.complete("done", "fp", StoredResponse(201, b"{}"), 60)
    await RedisReplayGuard(redis_client, namespace=namespace).first_use("sig", 300)
    await RedisRateLimiter(redis_client, limit=5, namespace=namespace).hit("client")

    keys = [key async for key in redis_client.scan_iter(match=f"{namespace}*")]
    assert len(keys) == 8  # and the index's birth key, which lives a week past its last claim
    for key in keys:
        longest = BORN_TTL_MS if key.endswith(b"index:born") else 300_000
        assert 0 < await redis_client.pttl(key) <= longest, key


async def test_a_client_that_decodes_responses_is_refused(redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
    try:
        with pytest.raises(ValueError, match="decode_responses=False"):
            RedisIdempotencyStore(client)
    finally:
        await client.aclose()


async def test_default_namespace_is_hdb(redis_client: redis.asyncio.Redis) -> None:
    guard = RedisReplayGuard(redis_client)
    signature = f"test-{uuid.uuid4().hex}"
    try:
        assert await guard.first_use(signature, 5) is True
        assert await redis_client.exists(f"hdb:replay:{signature}") == 1
    finally:
        await redis_client.delete(f"hdb:replay:{signature}")
