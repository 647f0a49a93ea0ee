"""Helpdesk calls per hand-off (issue 19, "Done when"), counted by the Zendesk stand-in behind a
real ``helpdesk-bridge serve``: once the dedup index has held everything for a whole window, a
new problem of a known caller costs one call, a caller with no number one, a new caller at most
three, a repeat none. An index that lost its entries - a memory store restarted, a Redis flushed
- asks the helpdesk again, and the same problem gets no second ticket.

The window is a few seconds (``DEDUP_TTL_SECONDS``) so the steady state comes within the test.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import redis

from tests.support.e2e import faults
from tests.support.e2e.processes import ServiceFactory
from tests.support.e2e.requests import note, unique, unique_caller
from tests.support.standin.client import StandinProcess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

WINDOW = 4  # DEDUP_TTL_SECONDS


def payload(oa_key: str, caller: str | None, category: str = "WiFi") -> dict[str, Any]:
    body: dict[str, Any] = {"note": note(category=category), "oaKey": oa_key}
    if caller is not None:
        body["callerNumber"] = caller
    return body


async def filed(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response, _ = await faults.timed_handoff(client, body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def calls(standin: StandinProcess) -> int:
    """Helpdesk calls since the last reset (the stand-in counts every API call)."""
    return sum(standin.calls().values())


async def test_in_the_steady_state_a_hand_off_costs_only_the_calls_it_needs(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    bridge = service_factory(faults.bridge_env(zendesk_standin, DEDUP_TTL_SECONDS=str(WINDOW)))
    known = unique_caller()
    async with bridge.client() as client:
        await filed(client, payload(unique(), known))  # a young index: looked up, user made
        await asyncio.sleep(WINDOW + 0.5)  # the index has now held everything for a window
        costs: dict[str, int] = {}
        for case, body in {
            "known caller, new problem": payload(unique(), known, "Outage"),
            "no caller number": payload(unique(), None),
            "new caller": payload(unique(), unique_caller()),
        }.items():
            zendesk_standin.reset()
            answer = await filed(client, body)
            assert answer["created"] is True, case
            costs[case] = calls(zendesk_standin)
            if case == "known caller, new problem":
                zendesk_standin.reset()
                again = await filed(client, body)  # the same problem at once: a dedup hit
                assert (again["created"], again["ticketId"]) == (False, answer["ticketId"])
                costs["dedup hit"] = calls(zendesk_standin)
    assert costs["known caller, new problem"] == 1, costs
    assert costs["no caller number"] == 1, costs
    assert costs["new caller"] <= 3, costs
    assert costs["dedup hit"] == 0, costs


async def test_a_restarted_memory_index_asks_again_and_files_no_second_ticket(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    env = faults.bridge_env(zendesk_standin, DEDUP_TTL_SECONDS="600")
    body = payload(unique(), unique_caller())
    first = service_factory(env)
    async with first.client() as client:
        before = await filed(client, body)
    first.stop()
    second = service_factory(env)  # a new process: an empty in-memory index
    zendesk_standin.reset()
    async with second.client() as client:
        after = await filed(client, body)
    assert (after["created"], after["ticketId"]) == (False, before["ticketId"])
    assert zendesk_standin.calls()["list"] >= 1  # it asked the helpdesk
    assert len(zendesk_standin.tickets()) == 1


@pytest.mark.redis
async def test_a_flushed_redis_index_asks_again_and_files_no_second_ticket(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory, redis_url: str
) -> None:
    prefix = f"hdb-test:{unique('calls')}:"
    window = 8
    env = faults.bridge_env(
        zendesk_standin,
        DEDUP_TTL_SECONDS=str(window),
        STORE_BACKEND="redis",
        REDIS_URL=redis_url,
        REDIS_KEY_PREFIX=prefix,
    )
    bridge = service_factory(env)
    store = redis.Redis.from_url(redis_url)
    try:
        async with bridge.client() as client:
            await filed(client, payload(unique(), unique_caller()))
            await asyncio.sleep(window + 0.5)  # complete for a window: no look-ups now
            body = payload(unique(), unique_caller())
            zendesk_standin.reset()
            before = await filed(client, body)
            assert zendesk_standin.calls()["list"] == 0
            flushed = time.monotonic()
            store.delete(*store.scan_iter(match=f"{prefix}*"))  # what FLUSHDB does to the fleet
            zendesk_standin.reset()
            after = await filed(client, body)
            assert time.monotonic() - flushed < window  # still the same problem's window
        assert (after["created"], after["ticketId"]) == (False, before["ticketId"])
        assert zendesk_standin.calls()["list"] >= 1
        assert len(zendesk_standin.tickets()) == 2  # the two problems, each once
    finally:
        leftover = list(store.scan_iter(match=f"{prefix}*"))
        if leftover:
            store.delete(*leftover)
        store.close()
