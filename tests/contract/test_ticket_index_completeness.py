"""When each index stops vouching for itself (beyond the shared contract): a memory index that
evicted a live entry, a Redis index whose keys were lost (flushed, restarted empty), and a Redis
that may evict keys to free memory, which never vouches at all."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis.asyncio

from adapters.clock import ManualClock
from adapters.stores.memory import MemoryTicketIndex
from adapters.stores.redis import RedisTicketIndex
from tests.support.stores.redis_server import redis_server
from tests.support.stores.ticket_index import LEASE, TTL


async def test_a_memory_index_that_evicts_a_live_entry_is_complete_only_from_then() -> None:
    clock = ManualClock()
    index = MemoryTicketIndex(clock, max_entries=2)
    born = await index.complete_since()
    await index.claim(["k:1", "k:2"], "alice", LEASE, remember_seconds=TTL)
    clock.advance(60)
    assert await index.complete_since() == born
    await index.claim(["k:3"], "bob", LEASE, remember_seconds=TTL)  # no room: k:1 is evicted
    assert await index.complete_since() == clock.now()


@pytest.mark.redis
async def test_a_redis_index_whose_keys_were_lost_is_complete_only_from_then(
    redis_client: redis.asyncio.Redis,
) -> None:
    namespace = f"hdb-test:{uuid.uuid4().hex}:"
    try:
        first = RedisTicketIndex(redis_client, namespace=namespace)
        await first.claim(["oa:x"], "alice", LEASE, remember_seconds=TTL)
        born = await first.complete_since()
        assert born is not None
        lost = [key async for key in redis_client.scan_iter(match=f"{namespace}*")]
        await redis_client.delete(
            *lost
        )  # what a flush, or a restart of a Redis that keeps nothing, does
        await first.claim(["oa:y"], "bob", LEASE, remember_seconds=TTL)
        again = await first.complete_since()
        assert again is not None
        assert again > born
        assert await RedisTicketIndex(redis_client, namespace=namespace).complete_since() == again
    finally:
        left = [key async for key in redis_client.scan_iter(match=f"{namespace}*")]
        if left:
            await redis_client.delete(*left)


@pytest.mark.redis
@pytest.mark.parametrize(
    ("options", "vouches"),
    [
        (("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"), False),
        (("--maxmemory", "64mb", "--maxmemory-policy", "volatile-ttl"), False),
        (("--maxmemory", "64mb", "--maxmemory-policy", "noeviction"), True),
        (("--maxmemory", "0", "--maxmemory-policy", "allkeys-lru"), True),  # no limit: none go
    ],
)
async def test_a_redis_that_may_evict_keys_never_vouches_for_the_index(
    tmp_path: Path, options: tuple[str, ...], vouches: bool
) -> None:
    with redis_server(tmp_path, "--save", "", "--appendonly", "no", *options) as port:
        client = redis.asyncio.Redis(host="127.0.0.1", port=port, socket_timeout=2.0)
        try:
            index = RedisTicketIndex(client)
            await index.claim(["oa:x"], "alice", LEASE, remember_seconds=TTL)
            assert (await index.complete_since() is not None) is vouches
        finally:
            await client.aclose()
