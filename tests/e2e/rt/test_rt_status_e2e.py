"""`helpdesk-bridge serve` with a real Request Tracker 5: a caller ringing back hears about their
tickets - both hand-offs of one caller are listed as open by phone, and after an agent resolves
one in RT, a look-up by its id says ``solved`` and ``say`` names it."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from domain.phone import parse_caller_number
from tests.support.e2e.processes import ServiceFactory
from tests.support.e2e.requests import AUTH, JSON_HEADERS, note, unique
from tests.support.rt_server import RtServer, bridge_env_for, handoff

pytestmark = [pytest.mark.e2e, pytest.mark.rt, pytest.mark.timeout(900)]
STATUS = "/ingest/ticket-status"


def fresh_caller() -> str:
    """A valid number no earlier run has filed under (RT keeps every test's tickets)."""
    number = f"+1415{secrets.randbelow(800) + 200}{secrets.randbelow(10_000):04d}"
    return parse_caller_number(number)


def resolve_in_rt(rt: RtServer, ticket_id: str) -> None:
    """What an agent does in RT's web UI: set the ticket's status to resolved."""
    answer = httpx.put(
        f"{rt.url.rstrip('/')}/REST/2.0/ticket/{ticket_id}",
        json={"Status": "resolved"},
        headers={"Authorization": f"token {rt.token}"},
        timeout=30,
    )
    answer.raise_for_status()


async def status(service_url: str, body: dict[str, str]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=service_url, timeout=30) as client:
        answer = await client.post(STATUS, json=body, headers={**AUTH, **JSON_HEADERS})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_a_caller_hears_of_both_tickets_then_of_the_solved_one(
    rt_server: RtServer, service_factory: ServiceFactory
) -> None:
    caller = fresh_caller()
    bridge = service_factory(bridge_env_for(rt_server))
    filed = [
        await handoff(
            bridge.url,
            {"note": note(category=category), "oaKey": unique("rt-status"), "callerNumber": caller},
        )
        for category in ("WiFi", "Outage")  # two problems: two tickets
    ]
    first, second = (str(body["ticketId"]) for body in filed)
    assert first != second

    spaced = f"{caller[:2]} {caller[2:5]} {caller[5:8]} {caller[8:]}"  # as a person writes it
    by_phone = await status(bridge.url, {"callerNumber": spaced})
    listed = by_phone["tickets"]
    assert isinstance(listed, list)
    # Both, open (their order is RT's: filed in the same second, they may tie on Created).
    assert sorted(ticket["ticketId"] for ticket in listed) == sorted([first, second])
    assert [ticket["state"] for ticket in listed] == ["open", "open"]
    assert all(ticket["ticketUrl"].startswith(rt_server.url.rstrip("/")) for ticket in listed)
    said = str(by_phone["say"])
    assert said.startswith("You have two open tickets: ")
    assert first in said
    assert second in said

    resolve_in_rt(rt_server, first)
    by_id = await status(bridge.url, {"ticketId": first})
    (ticket,) = by_id["tickets"]
    assert (ticket["ticketId"], ticket["state"]) == (first, "solved")
    assert str(by_id["say"]).startswith(f"Your ticket {first} is solved; it was last updated ")
