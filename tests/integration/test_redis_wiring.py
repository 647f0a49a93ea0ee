"""STORE_BACKEND=redis wired through the container into the HTTP app (Litestar's test client).

- The opened container gives the four Redis stores on one client (one pool) per container, a
  resource opened only when STORE_BACKEND=redis, and closed by the app's lifespan.
- ``/readyz`` reports ``"store"`` next to ``"helpdesk"``: 503 when Redis is unreachable, while
  ``/healthz`` stays 200; a hand-off then answers 503 ``STORE_UNAVAILABLE`` in the envelope.

Needs a real Redis at ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) for the reachable
cases: they fail under CI (``CI=true``) and are skipped elsewhere when there is none.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis
import redis.asyncio
from litestar.testing import AsyncTestClient

from adapters.stores.memory import MemoryTicketIndex
from adapters.stores.redis import (
    RedisIdempotencyStore,
    RedisRateLimiter,
    RedisReplayGuard,
    RedisTicketIndex,
)
from entrypoints.bootstrap.container import (
    Container,
    build_container,
    close_container,
    open_container,
)
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app
from entrypoints.serving.process import opened_at_startup
from tests.support.containers import opened

UNREACHABLE_URL = "redis://127.0.0.1:1/0"
TOKEN = "integration-token"
HANDOFF = "/ingest/oa-handoff"
NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: Customer cannot connect\nConfidence: 0.8"


async def container_for(url: str, prefix: str = "hdb-it-unused:", **extra: str) -> Container:
    env = {
        "AUTH_TOKEN": TOKEN,
        "STORE_BACKEND": "redis",
        "REDIS_URL": url,
        "REDIS_KEY_PREFIX": prefix,
        "REDIS_SOCKET_TIMEOUT_SECONDS": "0.5",
        "REDIS_CONNECT_TIMEOUT_SECONDS": "0.5",
        **extra,
    }
    return await open_container(load_settings(env, env_file="/nonexistent"))


async def post_handoff(
    client: AsyncTestClient[Any], oa_key: str, **headers: str
) -> tuple[int, dict[str, Any], Any]:
    response = await client.post(
        HANDOFF, json={"note": NOTE, "oaKey": oa_key}, headers={"x-auth-token": TOKEN, **headers}
    )
    return response.status_code, dict(response.headers), response.json()


@pytest.mark.redis
async def test_the_container_gives_redis_stores_on_one_client(prefix: str, redis_url: str) -> None:
    container = await container_for(redis_url, prefix)
    try:
        stores = (
            container.ticket_index(),
            container.idempotency_store(),
            container.replay_guard(),
            container.rate_limiter(),
        )
        assert tuple(map(type, stores)) == (
            RedisTicketIndex,
            RedisIdempotencyStore,
            RedisReplayGuard,
            RedisRateLimiter,
        )
        (client,) = opened(container)  # one pool for every store
        assert client is container.stores().client()
        assert client.connection_pool.connection_kwargs.get("decode_responses") is False
        probes = container.health_probes()
        assert list(probes) == ["helpdesk", "store", "outbox"]
        assert await probes["store"].check_health() is True
    finally:
        await close_container(container)
    assert opened(container) == []


async def test_the_memory_backend_opens_no_client() -> None:
    settings = load_settings({"AUTH_TOKEN": TOKEN}, env_file="/nonexistent")
    container = await open_container(settings)
    service_app(container)
    assert isinstance(container.ticket_index(), MemoryTicketIndex)
    assert list(container.health_probes()) == ["helpdesk", "outbox"]  # the SQLite outbox
    assert opened(container) == []
    await close_container(container)  # nothing to close, and no error for it


def test_a_redis_store_of_an_unopened_container_says_how_to_open_it() -> None:
    container = build_container(
        load_settings({"AUTH_TOKEN": TOKEN, "STORE_BACKEND": "redis"}, env_file="/nonexistent")
    )
    with pytest.raises(RuntimeError, match="await open_container"):
        container.ticket_index()


@pytest.mark.redis
async def test_the_app_lifespan_closes_the_redis_pool(prefix: str, redis_url: str) -> None:
    container = await container_for(redis_url, prefix)
    async with AsyncTestClient(service_app(container)) as client:
        assert (await client.get("/readyz")).status_code == 200
        ours = _local_addresses(container.stores().client().connection_pool)
        assert ours
        assert ours <= await _server_side_addresses(redis_url)
    assert opened(container) == []
    assert not ours & await _server_side_addresses(redis_url)  # closed on the server too


async def test_the_served_app_opens_its_clients_at_start_up_and_closes_them_at_shutdown() -> None:
    """What ``serve`` runs in each worker: the container opens in the lifespan, in that loop."""
    built: list[Container] = []

    def build(container: Container) -> Any:
        built.append(container)
        return service_app(container)

    settings = load_settings(
        {"AUTH_TOKEN": TOKEN, "STORE_BACKEND": "redis", "REDIS_URL": UNREACHABLE_URL},
        env_file="/nonexistent",
    )
    app = opened_at_startup(settings, build)
    async with AsyncTestClient(app) as client:
        (container,) = built
        assert len(opened(container)) == 1
        assert (await client.get("/readyz")).json()["checks"]["store"] == "unhealthy"
    assert opened(container) == []
    with pytest.raises(RuntimeError, match="lifespan"):
        await opened_at_startup(settings, build)({"type": "http"}, None, None)


@pytest.mark.redis
async def test_readyz_reports_the_store_healthy(prefix: str, redis_url: str) -> None:
    async with AsyncTestClient(service_app(await container_for(redis_url, prefix))) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"helpdesk": "healthy", "store": "healthy", "outbox": "healthy"}


async def test_readyz_is_503_when_redis_is_unreachable() -> None:
    async with AsyncTestClient(service_app(await container_for(UNREACHABLE_URL))) as client:
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert ready.status_code == 503, ready.text
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"helpdesk": "healthy", "store": "unhealthy", "outbox": "unhealthy"}
    assert alive.status_code == 200  # the process is alive: do not restart it for Redis


async def test_a_handoff_is_503_store_unavailable_when_redis_is_unreachable() -> None:
    async with AsyncTestClient(service_app(await container_for(UNREACHABLE_URL))) as client:
        status, headers, body = await post_handoff(client, "oa-down")
        keyed = await post_handoff(client, "oa-down", **{"idempotency-key": "k-1"})
    for status_, headers_, body_ in ((status, headers, body), keyed):
        assert status_ == 503
        assert headers_["content-type"].startswith("application/json")
        assert headers_["retry-after"] == "5"
        assert body_["status"] == "error"
        assert body_["code"] == "STORE_UNAVAILABLE"
        assert "Traceback" not in str(body_)


@pytest.mark.redis
async def test_handoffs_dedup_and_replay_through_redis(prefix: str, redis_url: str) -> None:
    async with AsyncTestClient(service_app(await container_for(redis_url, prefix))) as client:
        first = await post_handoff(client, "oa-wired")
        second = await post_handoff(client, "oa-wired")
        keyed = await post_handoff(client, "oa-keyed", **{"idempotency-key": "key-1"})
        again = await post_handoff(client, "oa-keyed", **{"idempotency-key": "key-1"})
    assert first[0] == second[0] == keyed[0] == again[0] == 200
    assert (first[2]["created"], second[2]["created"]) == (True, False)
    assert first[2]["ticketId"] == second[2]["ticketId"]
    assert again[1].get("idempotent-replayed") == "true"
    assert again[2] == keyed[2]
    observer = redis.asyncio.Redis.from_url(redis_url)
    try:
        kinds = {
            key.decode().removeprefix(prefix).split(":", 1)[0]
            async for key in observer.scan_iter(match=f"{prefix}*")
        }
    finally:
        await observer.aclose()
    assert kinds == {"dedup", "idem", "rate"}


@pytest.mark.redis
async def test_a_dropped_connection_is_replaced_without_an_error(
    prefix: str, redis_url: str
) -> None:
    """As after a Redis restart: the pooled connections die; the next hand-off still works."""
    container = await container_for(redis_url, prefix)
    async with AsyncTestClient(service_app(container)) as client:
        assert (await post_handoff(client, "oa-before"))[0] == 200
        pool = container.stores().client().connection_pool
        killer = redis.asyncio.Redis.from_url(redis_url)
        try:
            ids = [
                entry["id"]
                for entry in await killer.client_list()
                if entry.get("name") == "helpdesk-bridge"
                and entry["addr"] in _local_addresses(pool)
            ]
            assert ids
            for client_id in ids:
                await killer.client_kill_filter(_id=client_id)
        finally:
            await killer.aclose()
        status, _, body = await post_handoff(client, "oa-after")
    assert status == 200, body


async def _server_side_addresses(redis_url: str) -> set[str]:
    observer = redis.asyncio.Redis.from_url(redis_url)
    try:
        return {entry["addr"] for entry in await observer.client_list()}
    finally:
        await observer.aclose()


def _local_addresses(pool: Any) -> set[str]:
    """``ip:port`` of the pool's idle connections as Redis sees them (CLIENT LIST ``addr``)."""
    addresses = set()
    for connection in pool._available_connections:
        writer = getattr(connection, "_writer", None)
        if writer is not None:
            host, port = writer.get_extra_info("sockname")[:2]
            addresses.add(f"{host}:{port}")
    return addresses
