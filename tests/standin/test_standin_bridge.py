"""``helpdesk-bridge serve`` filing into the stand-in over real HTTP, the way the issue-10 e2e
tests use it: the stand-in is the record, so a restarted bridge (its in-memory index gone) finds
the ticket it filed before instead of opening a second one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.processes import TOKEN, ServiceFactory
from tests.standin.client import StandinProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def bridges(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceFactory]:
    factory = ServiceFactory(tmp_path_factory)
    try:
        yield factory
    finally:
        factory.close()


async def hand_off(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post("/ingest/oa-handoff", json=payload, headers={"x-auth-token": TOKEN})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_restarted_bridge_finds_the_ticket_it_filed(
    zendesk_standin: StandinProcess, bridges: ServiceFactory
) -> None:
    note = "Category: WiFi\nReason: CallerRequested\nSummary: No internet\nConfidence: 0.9"
    payload = {"note": note, "oaKey": f"standin-{uuid.uuid4().hex[:12]}", "source": "Standin"}
    first = bridges(zendesk_standin.bridge_env())
    async with first.client() as client:
        filed = await hand_off(client, payload)
    assert first.stop() == 0

    second = bridges(zendesk_standin.bridge_env())
    async with second.client() as client:
        again = await hand_off(client, payload)

    assert (filed["created"], again["created"]) == (True, False)
    assert again["ticketId"] == filed["ticketId"]
    [stored] = zendesk_standin.tickets()
    assert stored["external_id"] is not None
    assert zendesk_standin.calls()["create"] == 1
    assert zendesk_standin.calls()["list"] >= 1  # the second bridge asked the helpdesk
