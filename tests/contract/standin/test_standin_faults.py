"""The stand-in's faults on command: each switch does what it says, ends when it says, and a
reset clears it; the call counts say how many calls reached the helpdesk."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.support.standin.client import StandinError, StandinProcess
from tests.support.standin.helpers import create, ticket, wait_until
from tests.support.standin.state import ROUTES

pytestmark = pytest.mark.e2e


async def me(api: httpx.AsyncClient) -> int:
    return (await api.get("/api/v2/users/me")).status_code


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_fail_for_a_number_of_calls_with_retry_after(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess, status: int
) -> None:
    zendesk_standin.fail(status, calls=2, retry_after=30)
    failed = [await create(api, ticket()) for _ in range(2)]
    assert [a.status_code for a in failed] == [status, status]
    assert [a.headers["retry-after"] for a in failed] == ["30", "30"]
    assert zendesk_standin.tickets() == []
    assert (await create(api, ticket())).status_code == 201
    assert zendesk_standin.calls()["create"] == 3


async def test_fail_for_a_number_of_seconds(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    zendesk_standin.fail(500, seconds=60)
    assert await me(api) == 500
    assert "retry-after" not in (await api.get("/api/v2/users/me")).headers
    zendesk_standin.advance_clock(59)
    assert await me(api) == 500
    zendesk_standin.advance_clock(2)
    assert await me(api) == 200


async def test_fail_only_creates(api: httpx.AsyncClient, zendesk_standin: StandinProcess) -> None:
    zendesk_standin.fail(503, only="create", retry_after=5)
    assert (await create(api, ticket())).status_code == 503
    assert (await api.get("/api/v2/tickets", params={"external_id": "oa-1"})).status_code == 200
    assert await me(api) == 200


async def test_a_later_failure_replaces_the_earlier_one(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    zendesk_standin.fail(500)
    zendesk_standin.fail(429, calls=1)
    assert [await me(api), await me(api)] == [429, 200]


async def test_reset_clears_faults_and_counts_and_keeps_tickets_unless_asked(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    assert (await create(api, ticket(), key="kept")).status_code == 201
    zendesk_standin.fail(500)
    zendesk_standin.slow_creates(30)
    zendesk_standin.drop_after_create(5)
    assert await me(api) == 500
    zendesk_standin.reset()
    assert zendesk_standin.calls() == dict.fromkeys((*ROUTES, "other"), 0)
    again = await create(api, ticket(), key="kept")  # answered at once, not dropped
    assert again.headers["x-idempotency-lookup"] == "hit"
    assert len(zendesk_standin.tickets()) == 1
    zendesk_standin.reset(tickets=True)
    assert zendesk_standin.tickets() == []
    assert (await create(api, ticket(), key="kept")).headers["x-idempotency-lookup"] == "miss"


async def test_calls_are_counted_per_route_failed_and_refused_included(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    number = (await create(api, ticket())).json()["ticket"]["id"]
    zendesk_standin.fail(429, only="create", retry_after=30)
    for _ in range(3):
        await create(api, ticket())
    await api.get("/api/v2/tickets", params={"external_id": "oa-1"})
    await api.get(f"/api/v2/tickets/{number}")
    await api.put(f"/api/v2/tickets/{number}", json={"ticket": {"comment": {"body": "x"}}})
    async with httpx.AsyncClient(base_url=zendesk_standin.url, trust_env=False) as anonymous:
        await anonymous.get("/api/v2/tickets/1")  # refused: counted all the same
        await anonymous.get("/api/v2/groups")
    assert zendesk_standin.calls() == dict.fromkeys((*ROUTES, "other"), 0) | {
        "create": 4,
        "update": 1,
        "list": 1,
        "show": 2,
        "other": 1,
    }


async def test_a_slow_create_lands_after_its_delay_though_the_client_gave_up(
    zendesk_standin: StandinProcess,
) -> None:
    zendesk_standin.slow_creates(1.0)
    settings = zendesk_standin.zendesk_settings()
    async with httpx.AsyncClient(
        base_url=zendesk_standin.url, auth=(f"{settings.email}/token", str(settings.api_token))
    ) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/api/v2/tickets", json=ticket(), timeout=0.2)
        assert zendesk_standin.tickets() == []  # not applied before its delay
        assert await wait_until(lambda: len(zendesk_standin.tickets()) == 1)
        started = time.monotonic()
        waited = await client.post("/api/v2/tickets", json=ticket(), timeout=5)
    assert waited.status_code == 201
    assert time.monotonic() - started >= 1.0  # the answer comes after the delay
    assert len(zendesk_standin.tickets()) == 2


async def test_drop_after_create_loses_the_answer_not_the_ticket(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    zendesk_standin.drop_after_create(1)
    with pytest.raises(httpx.RemoteProtocolError):
        await create(api, ticket(), key="dropped")
    [landed] = zendesk_standin.tickets()
    retried = await create(api, ticket(), key="dropped")
    assert retried.headers["x-idempotency-lookup"] == "hit"
    assert retried.json()["ticket"]["id"] == landed["id"]
    assert (await create(api, ticket())).status_code == 201  # only the next create was dropped
    assert len(zendesk_standin.tickets()) == 2
    assert [c["status"] for c in zendesk_standin.creates()] == ["dropped", 201, 201]


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("POST", "fail", {"status": 200}),
        ("POST", "fail", {"status": 500, "only": "delete"}),
        ("POST", "fail", {"status": 500, "calls": 1.5}),
        ("POST", "slow", {"seconds": -1}),
        ("POST", "drop", {"creates": "one"}),
        ("POST", "budget", {"per_minute": -1}),
        ("POST", "budget", {"per_minute": 2.5}),
        ("POST", "jobs", {"seconds": "soon"}),
        ("POST", "explode", {}),
        ("PATCH", "tickets/1", {"status": "solved"}),
    ],
)
def test_control_calls_it_cannot_follow_are_refused(
    zendesk_standin: StandinProcess, method: str, action: str, body: dict[str, Any]
) -> None:
    with pytest.raises(StandinError):
        zendesk_standin.control(method, action, body)


def test_the_stand_in_exits_zero_on_sigterm(zendesk_standin: StandinProcess) -> None:
    assert zendesk_standin.stop() == 0
