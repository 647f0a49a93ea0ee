"""``helpdesk-bridge serve`` filing into the stand-in over real HTTP, the way the issue-10 e2e
tests use it: the stand-in is the record, so a restarted bridge (its in-memory index gone) finds
the ticket it filed before instead of opening a second one."""

from __future__ import annotations

import pytest

from tests.support.e2e.processes import ServiceFactory
from tests.support.e2e.requests import assert_ok, handoff, note, unique
from tests.support.standin.client import StandinProcess

pytestmark = pytest.mark.e2e


async def test_a_restarted_bridge_finds_the_ticket_it_filed(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    payload = {"note": note(), "oaKey": unique("standin"), "source": "StandinTest"}
    first = service_factory(zendesk_standin.bridge_env())
    async with first.client() as client:
        filed = assert_ok(await handoff(client, payload))
    assert first.stop() == 0

    second = service_factory(zendesk_standin.bridge_env())
    async with second.client() as client:
        again = assert_ok(await handoff(client, payload))

    assert (filed["created"], again["created"]) == (True, False)
    assert again["ticketId"] == filed["ticketId"]
    [stored] = zendesk_standin.tickets()
    assert stored["external_id"] is not None
    assert zendesk_standin.calls()["create"] == 1
    assert zendesk_standin.calls()["list"] >= 1  # the second bridge asked the helpdesk
