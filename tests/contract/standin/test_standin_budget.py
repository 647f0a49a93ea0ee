"""The stand-in's per-minute account budget, as Zendesk's rate limit works: every API call counts;
past the budget a call is answered 429 with ``Retry-After`` and processed not at all; the window
frees when the stand-in's clock reaches its end; the counts say how many the budget refused; it
composes with the other faults. Every exchange is checked against Zendesk's OpenAPI description
(the ``api`` fixture)."""

from __future__ import annotations

import httpx
import pytest

from adapters.helpdesk.resilience.calls import Resilience, RetryPolicy
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, build_zendesk_client
from application.errors import HelpdeskUnavailable
from tests.support.helpdesk_samples import hand_off
from tests.support.standin.budget import REFUSAL_TEXT
from tests.support.standin.client import StandinProcess
from tests.support.standin.helpers import create, ticket
from tests.support.standin.traffic import TrafficCheck

pytestmark = pytest.mark.e2e


def limits(answer: httpx.Response) -> tuple[str | None, ...]:
    """The rate-limit headers Zendesk sends with every answer."""
    names = ("x-rate-limit", "x-rate-limit-remaining", "ratelimit-limit", "ratelimit-remaining")
    return tuple(answer.headers.get(name) for name in names)


async def test_past_the_budget_a_call_gets_429_with_retry_after_and_nothing_is_processed(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    zendesk_standin.budget(3)
    inside = [
        await create(api, ticket(), key="k-1"),
        await api.get("/api/v2/users/me"),
        await api.get("/api/v2/tickets", params={"external_id": "oa-1"}),
    ]
    past = await create(api, ticket(external_id="oa-2"), key="k-2")

    assert [a.status_code for a in inside] == [201, 200, 200]
    assert [limits(a) for a in inside] == [("3", r, "3", r) for r in ("2", "1", "0")]
    assert all(1 <= int(a.headers["ratelimit-reset"]) <= 60 for a in inside)
    assert past.status_code == 429
    assert 59 <= int(past.headers["retry-after"]) <= 60
    assert limits(past) == ("3", "0", "3", "0")
    assert past.headers["content-type"].startswith("text/plain")
    assert past.text == REFUSAL_TEXT
    assert [t["external_id"] for t in zendesk_standin.tickets()] == ["oa-1"]
    again = await create(api, ticket(external_id="oa-2"), key="k-2")  # the key was never seen
    assert again.status_code == 429
    assert zendesk_standin.rate_limited() == 2
    calls = zendesk_standin.calls()  # refused calls reached the helpdesk: counted per route
    assert (calls["create"], calls["me"], calls["list"]) == (3, 1, 1)
    log = [(c["idempotency_key"], c["status"]) for c in zendesk_standin.creates()]
    assert log == [("k-1", 201), ("k-2", 429), ("k-2", 429)]


async def test_the_window_frees_when_the_stand_ins_clock_reaches_its_end(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    zendesk_standin.budget(2)
    assert [(await api.get("/api/v2/users/me")).status_code for _ in range(2)] == [200, 200]
    zendesk_standin.advance_clock(30)
    refused = await api.get("/api/v2/users/me")
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 29 <= wait <= 30  # the seconds left in this minute, not a whole minute again
    zendesk_standin.advance_clock(wait - 1.5)
    assert (await api.get("/api/v2/users/me")).status_code == 429
    zendesk_standin.advance_clock(1.5)
    freed = await api.get("/api/v2/users/me")
    assert freed.status_code == 200
    assert limits(freed) == ("2", "1", "2", "1")
    zendesk_standin.advance_clock(185)  # idle minutes: a fresh window, not a debt
    assert [(await api.get("/api/v2/users/me")).status_code for _ in range(3)] == [200, 200, 429]
    assert zendesk_standin.rate_limited() == 3


async def test_every_api_call_counts_whatever_its_route_or_answer(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    number = (await create(api, ticket())).json()["ticket"]["id"]
    zendesk_standin.budget(5)
    async with httpx.AsyncClient(base_url=zendesk_standin.url, trust_env=False) as anonymous:
        unauthenticated = await anonymous.get(f"/api/v2/tickets/{number}")
        unknown = await anonymous.get("/api/v2/groups")
    note = {"ticket": {"comment": {"body": "Caller called again", "public": False}}}
    missing = await api.get("/api/v2/tickets/999999")
    shown = await api.get(f"/api/v2/tickets/{number}")
    for _ in range(3):  # control calls are not API calls: they cost nothing
        zendesk_standin.tickets()
    updated = await api.put(f"/api/v2/tickets/{number}", json=note)
    refused = await api.put(f"/api/v2/tickets/{number}", json=note)
    answers = (unauthenticated, unknown, missing, shown, updated, refused)
    assert [a.status_code for a in answers] == [401, 404, 404, 200, 200, 429]
    assert [a.headers.get("x-rate-limit-remaining") for a in answers] == list("432100")
    [stored] = zendesk_standin.tickets()
    assert len(stored["comments"]) == 2  # the refused note was not added


async def test_the_budget_composes_with_the_faults(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    zendesk_standin.budget(3)
    zendesk_standin.fail(503, calls=1, retry_after=5)
    zendesk_standin.drop_after_create(1)
    failed = await api.get("/api/v2/users/me")  # admitted, then failed: it used the budget
    with pytest.raises(httpx.RemoteProtocolError):
        await create(api, ticket(), key="dropped")  # admitted, applied, answer lost
    retried = await create(api, ticket(), key="dropped")
    assert (failed.status_code, failed.headers["retry-after"]) == (503, "5")
    assert limits(failed) == ("3", "2", "3", "2")
    assert retried.headers["x-idempotency-lookup"] == "hit"
    zendesk_standin.fail(500)  # the budget answers first: a refused call meets no fault
    refused = await api.get("/api/v2/users/me")
    assert refused.status_code == 429
    zendesk_standin.fail(500, calls=1)
    zendesk_standin.advance_clock(60)
    assert [(await api.get("/api/v2/users/me")).status_code for _ in range(2)] == [500, 200]
    assert zendesk_standin.rate_limited() == 1
    assert len(zendesk_standin.tickets()) == 1


async def test_without_a_budget_nothing_is_limited_nor_announced(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    assert limits(await api.get("/api/v2/users/me")) == (None,) * 4
    zendesk_standin.budget(1)
    await api.get("/api/v2/users/me")
    assert (await api.get("/api/v2/users/me")).status_code == 429
    zendesk_standin.budget(0)
    answers = [await api.get("/api/v2/users/me") for _ in range(3)]
    assert [(a.status_code, limits(a)) for a in answers] == [(200, (None,) * 4)] * 3
    assert zendesk_standin.rate_limited() == 1
    zendesk_standin.budget(1)
    zendesk_standin.reset()  # no faults: no budget, and no 429 counted
    assert (await api.get("/api/v2/users/me")).status_code == 200
    assert zendesk_standin.rate_limited() == 0


async def test_the_bridges_zendesk_adapter_hears_the_budgets_429_as_not_processed(
    zendesk_standin: StandinProcess, traffic: TrafficCheck
) -> None:
    settings = zendesk_standin.zendesk_settings()
    zendesk_standin.budget(1)
    async with traffic.install(build_zendesk_client(settings)) as client:
        gateway = ZendeskHelpdesk(client, settings, Resilience(RetryPolicy()))
        assert await gateway.check_health()
        with pytest.raises(HelpdeskUnavailable) as refused:
            await gateway.create_ticket(hand_off("oa-limited", request_key="k-limited"))
    assert refused.value.retry_after is not None
    assert 1 <= refused.value.retry_after <= 60
    assert zendesk_standin.tickets() == []
    assert zendesk_standin.rate_limited() >= 1
    assert traffic.violations == []
