"""What only the Redis outbox has: the persistence check the start-up warning rests on (against
real ``redis-server`` processes started with each persistence set-up, CONFIG disabled too),
``StoreUnavailable`` when Redis is not there, and refusing entries it did not write."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio

from adapters.outbox.redis import RedisOutbox, redis_persistence
from application.errors import StoreUnavailable
from application.ports import OutboxState
from tests.support.stores.outbox_backends import T0, RedisOutboxBackend, handoff
from tests.support.stores.redis_clients import short_client
from tests.support.stores.redis_server import redis_server

NO_CONFIG = ("--rename-command", "CONFIG", "")
PERSISTENCE: dict[str, tuple[tuple[str, ...], str | None]] = {
    "none": (("--save", "", "--appendonly", "no"), None),
    "aof everysec": (
        ("--save", "", "--appendonly", "yes", "--appendfsync", "everysec"),
        "aof appendfsync=everysec",
    ),
    "rdb only": (("--save", "3600 1", "--appendonly", "no"), "rdb save 3600 1"),
    "aof always and rdb": (
        ("--save", "900 1", "--appendonly", "yes", "--appendfsync", "always"),
        "aof appendfsync=always + rdb save 900 1",
    ),
    "CONFIG disabled, aof": (
        (*NO_CONFIG, "--save", "", "--appendonly", "yes"),
        "aof (appendfsync unknown: CONFIG is disabled)",
    ),
    "CONFIG disabled, none": ((*NO_CONFIG, "--save", "", "--appendonly", "no"), None),
}


@pytest.mark.parametrize(("options", "expected"), PERSISTENCE.values(), ids=PERSISTENCE.keys())
async def test_the_persistence_check_tells_what_the_server_keeps(
    tmp_path: Path, options: tuple[str, ...], expected: str | None
) -> None:
    with redis_server(tmp_path, *options) as port:
        server = short_client(port)
        try:
            assert await redis_persistence(server) == expected
        finally:
            await server.aclose()


@pytest.fixture
async def dead_redis() -> AsyncIterator[redis.asyncio.Redis]:
    unreachable = short_client(1)  # nothing listens on port 1
    try:
        yield unreachable
    finally:
        await unreachable.aclose()


Call = Callable[[RedisOutbox], Awaitable[object]]
CALLS: dict[str, Call] = {
    "put": lambda o: o.put(handoff("HB-GONE22")),
    "get": lambda o: o.get("HB-GONE22"),
    "lease": lambda o: o.lease("w1", T0, 30, 5),
    "delivered": lambda o: o.delivered("HB-GONE22", "TKT-1", "https://h.example/t/1", T0),
    "postpone": lambda o: o.postpone("HB-GONE22", "503", T0 + 60),
    "kill": lambda o: o.kill("HB-GONE22", "too old", T0),
    "retry": lambda o: o.retry("HB-GONE22", T0),
    "drop": lambda o: o.drop("HB-GONE22"),
    "items": lambda o: o.items(None, 10),
    "stats": lambda o: o.stats(T0),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_every_call_raises_store_unavailable_without_redis(
    dead_redis: redis.asyncio.Redis, call: Call
) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        await call(RedisOutbox(dead_redis))
    assert caught.value.code == "STORE_UNAVAILABLE"


async def test_health_and_the_persistence_check_without_redis(
    dead_redis: redis.asyncio.Redis,
) -> None:
    assert await RedisOutbox(dead_redis).check_health() is False
    with pytest.raises(StoreUnavailable):
        await redis_persistence(dead_redis)


@pytest.mark.redis
async def test_an_item_it_did_not_write_is_refused(redis_url: str) -> None:
    backend = RedisOutboxBackend(redis_url)
    outbox = backend.outbox()
    try:
        await backend.client().hset(
            f"{backend.namespace}outbox:item:HB-ALIEN2", mapping={"reference": "HB-ALIEN2"}
        )
        with pytest.raises(StoreUnavailable):
            await outbox.get("HB-ALIEN2")
        assert await outbox.put(handoff("HB-MINE22")) == handoff("HB-MINE22")
        assert (await outbox.stats(T0)).queued == 1
        assert [i.state for i in await outbox.items(None, 5)] == [OutboxState.QUEUED]
    finally:
        await backend.aclose()


@pytest.mark.redis
async def test_an_evicted_item_is_skipped_not_a_failure(redis_url: str) -> None:
    backend = RedisOutboxBackend(redis_url)
    outbox = backend.outbox()
    try:
        for n in range(3):
            await outbox.put(handoff(f"HB-EVICT{n}", queued_at=T0 + n))
        await backend.client().delete(f"{backend.namespace}outbox:item:HB-EVICT0")
        assert [i.reference for i in await outbox.items(None, 5)] == ["HB-EVICT1", "HB-EVICT2"]
        leased = await outbox.lease("w1", T0 + 10, 30, 5)
        assert [i.reference for i in leased] == ["HB-EVICT1", "HB-EVICT2"]
    finally:
        await backend.aclose()
