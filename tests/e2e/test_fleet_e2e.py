"""A fleet on one Redis: two real ``helpdesk-bridge serve`` processes (and one with --workers 2)
behave as one service - one ticket per problem, one Idempotency-Key space, one replay window and
one rate-limit budget.

Each process has its own in-process mock helpdesk (ids TKT-1000, ... in each), so tickets are
counted by ``created: true`` answers and distinct ticket ids, never by id numbers. The mock
answers after 50 ms (MOCK_HELPDESK_LATENCY_MS) so concurrent hand-offs really overlap.

Every fleet uses a key prefix unique to the run (REDIS_KEY_PREFIX), deleted afterwards. Needs a
real Redis at ``REDIS_URL`` (default ``redis://127.0.0.1:6379/0``): the tests fail under CI
(``CI=true``) and are skipped elsewhere when there is none.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.support.e2e.mcp_clients import stdio_session, structured
from tests.support.e2e.processes import ServiceFactory, ServiceProcess
from tests.support.e2e.requests import (
    AUTH,
    HANDOFF,
    JSON_HEADERS,
    assert_error,
    assert_ok,
    compact,
    handoff,
    note,
    signed_headers,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

LATENCY_MS = "50"
CONCURRENT_HANDOFFS = 60
RATE_LIMIT = 10


def _delete_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _fleet_env(url: str, prefix: str, rate_limit: int) -> dict[str, str]:
    return {
        "STORE_BACKEND": "redis",
        "REDIS_URL": url,
        "REDIS_KEY_PREFIX": prefix,
        "MOCK_HELPDESK_LATENCY_MS": LATENCY_MS,
        "RATE_LIMIT_PER_SECOND": str(rate_limit),
    }


@pytest.fixture(scope="module")
def fleet(
    module_service_factory: ServiceFactory, redis_url: str
) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    """Two processes on one Redis prefix, with a budget high enough not to get in the way."""
    prefix = f"hdb-e2e:{uuid.uuid4().hex[:12]}:"
    env = _fleet_env(redis_url, prefix, rate_limit=100_000)
    try:
        yield module_service_factory(env), module_service_factory(env)
    finally:
        _delete_prefix(redis_url, prefix)


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    value = f"hdb-e2e:{uuid.uuid4().hex[:12]}:"
    try:
        yield value
    finally:
        _delete_prefix(redis_url, value)


def _problem(oa_key: str, summary: str = "Customer unable to connect to WiFi") -> dict[str, Any]:
    return {"note": note(summary=summary), "oaKey": oa_key, "source": "FleetTest"}


async def test_concurrent_identical_handoffs_on_two_instances_file_one_ticket(
    fleet: tuple[ServiceProcess, ServiceProcess],
) -> None:
    first, second = fleet
    payload = _problem(unique("fleet-dedup"))
    async with first.client() as a, second.client() as b:
        clients = cycle((a, b))
        responses = await asyncio.gather(
            *(handoff(next(clients), payload) for _ in range(CONCURRENT_HANDOFFS))
        )
    bodies = [assert_ok(response) for response in responses]
    assert sum(body["created"] for body in bodies) == 1
    assert len({body["ticketId"] for body in bodies}) == 1
    assert len({body["ticketUrl"] for body in bodies}) == 1


async def test_an_idempotency_key_replays_on_the_other_instance(
    fleet: tuple[ServiceProcess, ServiceProcess],
) -> None:
    first, second = fleet
    key = unique("idem")
    payload = _problem(unique("fleet-idem"))
    async with first.client() as a, second.client() as b:
        original = await handoff(a, payload, idempotency_key=key)
        replayed = await handoff(b, payload, idempotency_key=key)
        changed = await handoff(b, _problem(unique("fleet-idem-other")), idempotency_key=key)
    assert assert_ok(original)["created"] is True
    assert replayed.status_code == 200
    assert replayed.content == original.content  # byte for byte
    assert replayed.headers.get("idempotent-replayed") == "true"
    assert_error(changed, 409, "IDEMPOTENCY_CONFLICT")


async def test_a_signed_request_replayed_on_the_other_instance_is_refused(
    fleet: tuple[ServiceProcess, ServiceProcess],
) -> None:
    first, second = fleet
    body = compact(_problem(unique("fleet-hmac")))
    headers = signed_headers(body)
    async with first.client() as a, second.client() as b:
        accepted = await a.post(HANDOFF, content=body, headers=headers)
        replayed = await b.post(HANDOFF, content=body, headers=headers)
    assert_ok(accepted)
    assert_error(replayed, 403, "REPLAY_DETECTED")


def _redis_now(client: redis.Redis) -> float:
    seconds, micros = client.time()
    return float(seconds) + micros / 1_000_000


async def test_two_instances_share_one_rate_limit_budget(
    service_factory: ServiceFactory, redis_url: str, prefix: str
) -> None:
    """20 requests split across both within one window: 10 allowed in total, not 10 each.

    The window is the Redis server's second, so the burst starts just after a second begins
    (by Redis's clock); a burst that still straddled a boundary is measured again."""
    env = _fleet_env(redis_url, prefix, RATE_LIMIT)
    first, second = service_factory(env), service_factory(env)
    clock = redis.Redis.from_url(redis_url)
    try:
        async with first.client() as a, second.client() as b:
            for client in (a, b):  # warm up: connections to both services and to Redis
                assert (await client.get("/readyz")).status_code == 200
            for _attempt in range(3):
                now = _redis_now(clock)
                await asyncio.sleep(1.02 - (now % 1.0))  # just after the next second starts
                started = _redis_now(clock)
                clients = cycle((a, b))
                responses = await asyncio.gather(
                    *(
                        handoff(next(clients), _problem(unique("fleet-rate")))
                        for _ in range(2 * RATE_LIMIT)
                    )
                )
                finished = _redis_now(clock)
                if int(started) == int(finished):
                    break
            else:
                pytest.fail("could not fit 20 requests into one second in 3 attempts")
    finally:
        clock.close()
    statuses = [response.status_code for response in responses]
    assert statuses.count(200) == RATE_LIMIT, statuses
    assert statuses.count(429) == RATE_LIMIT, statuses
    for response in responses:
        if response.status_code == 429:
            body = assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
            assert body["retryAfter"] >= 1
            assert response.headers["ratelimit-remaining"] == "0"
            assert response.headers["ratelimit-limit"] == str(RATE_LIMIT)


async def test_serve_with_two_workers_files_one_ticket_per_problem(
    service_factory: ServiceFactory, redis_url: str, prefix: str
) -> None:
    env = _fleet_env(redis_url, prefix, rate_limit=100_000)
    service = service_factory(env, args=["--workers", "2"])
    problems = [unique(f"workers-{n}") for n in range(5)]
    payloads = [_problem(oa_key, f"Problem {n} on the line") for n, oa_key in enumerate(problems)]
    limits = httpx.Limits(max_connections=60, max_keepalive_connections=0)  # spread the workers
    async with service.client(limits=limits) as client:
        for _ in range(200):  # up to 10 s: both workers answer once each has built its app
            if len(_started_workers(service)) == 2:
                break
            await asyncio.sleep(0.05)
        responses = await asyncio.gather(
            *(
                client.post(HANDOFF, content=compact(p), headers={**AUTH, **JSON_HEADERS})
                for p in payloads
                for _ in range(10)
            )
        )
        ready = await client.get("/readyz")
    assert len(_started_workers(service)) == 2  # each worker built its own container and pool
    assert ready.json()["checks"] == {
        "helpdesk": "healthy",
        "store": "healthy",
        "outbox": "healthy",
    }
    by_problem: dict[str, list[dict[str, Any]]] = {}
    for response in responses:
        body = assert_ok(response)
        by_problem.setdefault(body["echo"]["oaKey"], []).append(body)
    assert sorted(by_problem) == sorted(problems)
    for oa_key, bodies in by_problem.items():
        assert sum(body["created"] for body in bodies) == 1, oa_key
        assert len({body["ticketId"] for body in bodies}) == 1, oa_key


def _started_workers(service: ServiceProcess) -> set[Any]:
    """Workers that logged ``service.starting`` (the ASGI factory, once per worker process)."""
    records = [r for r in service.log_records() if r.get("event") == "service.starting"]
    return {r.get("pid", index) for index, r in enumerate(records)}


async def test_webhook_and_mcp_dedup_against_each_other_through_redis(
    service_factory: ServiceFactory, redis_url: str, prefix: str, tmp_path: Path
) -> None:
    """A caller's problem filed by the voice agent (webhook) is the ticket Claude Desktop finds
    (`helpdesk-bridge mcp`, another process), because both use the one Redis index."""
    bridge = service_factory(_fleet_env(redis_url, prefix, rate_limit=100_000))
    oa_key = unique("cross")
    async with httpx.AsyncClient(base_url=bridge.url, timeout=20) as client:
        filed = await client.post(
            HANDOFF,
            content=compact({"note": note(), "oaKey": oa_key}),
            headers={**AUTH, **JSON_HEADERS},
        )
    assert_ok(filed)
    ticket_id = filed.json()["ticketId"]

    stores = {"STORE_BACKEND": "redis", "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix}
    with (tmp_path / "mcp.stderr").open("w") as errlog:
        async with stdio_session(tmp_path, errlog, **stores) as session:
            result = await session.call_tool(
                "helpdesk_find_or_create_ticket",
                {"description": "Customer still cannot connect to WiFi", "oaKey": oa_key},
            )
    found = structured(result)
    assert (found["created"], found["ticketId"]) == (False, ticket_id)
