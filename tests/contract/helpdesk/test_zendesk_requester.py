"""Zendesk specifics of a caller: one end user per number, the requester of every ticket they
file, found again after a restart and by concurrent first hand-offs; Zendesk's own statuses read
as the port's states; a note's files travel as uploads of an internal comment."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from adapters.clock import SystemClock
from adapters.helpdesk.resilience.circuit import CircuitBreaker
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk
from adapters.helpdesk.zendesk.users import caller_name
from adapters.stores.requesters import MemoryRequesterCache
from domain.ticket import Attachment, TicketState
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.harness import make_zendesk_gateway, sent
from tests.support.helpdesk.zendesk_fake import FakeZendesk, Fault
from tests.support.helpdesk_samples import CALLER, hand_off
from tests.support.standin.directory import AGENT_ID

EXTERNAL_ID = f"hdb-caller:{CALLER}"


def requesters(fake: FakeZendesk) -> list[int]:
    return [t.requester_id for t in fake.tickets.values()]


async def test_a_callers_tickets_share_one_end_user(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    await gateway.create_ticket(hand_off("oa:1"))
    await gateway.create_ticket(hand_off("oa:2"))
    [user] = fake_zendesk.directory.users.values()
    assert (user.name, user.phone, user.external_id, user.role) == (
        "Caller +1 415-555-0123",
        CALLER,
        EXTERNAL_ID,
        "end-user",
    )
    assert requesters(fake_zendesk) == [user.id, user.id]
    [upsert] = sent(fake_zendesk, "POST", "/api/v2/users/create_or_update")
    assert json.loads(upsert.content)["user"]["skip_verify_email"] is True


async def test_the_end_user_is_found_again_after_a_restart(
    client: httpx.AsyncClient, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    """A new adapter each time, nothing remembered: the search lags behind the user made a
    moment ago, and the upsert on the caller's ``external_id`` answers that same user."""
    for key in ("oa:1", "oa:2"):
        restarted = make_zendesk_gateway(client, fake_time, CircuitBreaker(clock=fake_time))
        await restarted.create_ticket(hand_off(key))
    assert len(fake_zendesk.directory.users) == 1
    assert len(set(requesters(fake_zendesk))) == 1
    assert len(sent(fake_zendesk, "GET", "/api/v2/users/search")) == 2
    assert len(sent(fake_zendesk, "POST", "/api/v2/users/create_or_update")) == 2


async def test_a_fleet_sharing_the_requester_cache_asks_for_a_known_caller_nothing(
    client: httpx.AsyncClient, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    """What another instance learnt (Redis for a fleet) spares every instance the user calls:
    a known caller's new problem costs one call, the create."""
    shared = MemoryRequesterCache(SystemClock())
    first, second = (
        make_zendesk_gateway(client, fake_time, CircuitBreaker(clock=fake_time), None, shared)
        for _ in range(2)
    )
    await first.create_ticket(hand_off("oa:1"))
    fake_zendesk.requests.clear()
    await second.create_ticket(hand_off("oa:2"))
    assert [(r.method, r.url.path) for r in fake_zendesk.requests] == [("POST", "/api/v2/tickets")]
    assert len(set(requesters(fake_zendesk))) == 1


async def test_a_remembered_user_zendesk_no_longer_knows_is_found_afresh(
    client: httpx.AsyncClient, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    """A user merged or deleted in Zendesk after it was remembered: the create refuses it
    (422), the bridge forgets it, finds or makes the caller's user again, and files."""
    shared = MemoryRequesterCache(SystemClock())
    gateway = make_zendesk_gateway(client, fake_time, CircuitBreaker(clock=fake_time), None, shared)
    await gateway.create_ticket(hand_off("oa:1"))
    [gone] = fake_zendesk.directory.users
    del fake_zendesk.directory.users[gone]
    filed = await gateway.create_ticket(hand_off("oa:2"))
    [user] = fake_zendesk.directory.users.values()
    assert user.id != gone
    assert fake_zendesk.tickets[int(filed.id)].requester_id == user.id
    assert await shared.get(CALLER) == str(user.id)


async def test_concurrent_first_hand_offs_of_one_caller_make_one_user(
    client: httpx.AsyncClient, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    instances = [
        make_zendesk_gateway(client, fake_time, CircuitBreaker(clock=fake_time)) for _ in range(4)
    ]
    await asyncio.gather(*(g.create_ticket(hand_off(f"oa:{n}")) for n, g in enumerate(instances)))
    assert len(fake_zendesk.directory.users) == 1
    assert len(set(requesters(fake_zendesk))) == 1


async def test_a_create_that_lost_the_race_uses_the_winners_user(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    """Another instance made the user between our look-up and our create (Zendesk: 422)."""
    winner = fake_zendesk.directory.add("Caller +1 415-555-0123", CALLER, EXTERNAL_ID)
    fake_zendesk.inject(
        Fault(respond=httpx.Response(200, json={"users": []}), method="GET", path="/api/v2/users"),
        Fault(
            respond=httpx.Response(422, json={"error": "RecordInvalid"}),
            path="/api/v2/users/create_or_update",
        ),
    )
    await gateway.create_ticket(hand_off("oa:1"))
    assert requesters(fake_zendesk) == [winner.id]
    assert len(fake_zendesk.directory.users) == 1


async def test_an_end_user_made_elsewhere_is_used_as_it_is(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.directory.add("Agent Smith", CALLER, role="agent", indexed=True)
    known = fake_zendesk.directory.add("Jane Doe", "+1 (415) 555-0123", indexed=True)
    await gateway.create_ticket(hand_off("oa:1"))
    assert requesters(fake_zendesk) == [known.id]
    assert (known.name, known.external_id) == ("Jane Doe", None)  # not rewritten
    assert sent(fake_zendesk, "POST", "/api/v2/users") == []
    found = await gateway.find_caller_tickets(CALLER, 5)
    assert [t.id for t in found] == [str(next(iter(fake_zendesk.tickets)))]


async def test_a_ticket_without_a_caller_asks_for_no_user(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    await gateway.create_ticket(hand_off("oa:1", caller_number=None))
    assert requesters(fake_zendesk) == [AGENT_ID]
    assert not any(fake_zendesk.is_people_call(r) for r in fake_zendesk.requests)


async def test_asking_for_an_unknown_callers_tickets_makes_no_user(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    assert await gateway.find_caller_tickets(CALLER, 5) == []
    assert fake_zendesk.directory.users == {}


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("new", TicketState.OPEN),
        ("open", TicketState.OPEN),
        ("pending", TicketState.PENDING),
        ("hold", TicketState.PENDING),
        ("solved", TicketState.SOLVED),
        ("closed", TicketState.CLOSED),
    ],
)
async def test_zendesk_statuses_read_as_the_ports_states(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk, status: str, state: TicketState
) -> None:
    ref = await gateway.create_ticket(hand_off("oa:1"))
    fake_zendesk.set_status(ref.id, status)
    read = await gateway.get_ticket(ref.id)
    assert read is not None
    assert read.state is state
    [requested] = await gateway.find_caller_tickets(CALLER, 5) or [None]
    assert (requested is None) == (state is TicketState.CLOSED)


async def test_a_notes_files_are_uploaded_then_named_by_an_internal_comment(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ref = await gateway.create_ticket(hand_off("oa:1"))
    transcript = Attachment.text("transcript.txt", "Agent: hi\nCaller: é")
    await gateway.append_note(ref.id, "Summary", "PostCall", attachments=[transcript])
    [upload] = sent(fake_zendesk, "POST", "/api/v2/uploads")
    assert upload.url.params["filename"] == "transcript.txt"
    assert upload.headers["content-type"] == "text/plain; charset=utf-8"
    assert upload.content == "Agent: hi\nCaller: é".encode()
    [put] = sent(fake_zendesk, "PUT")
    comment = json.loads(put.content)["ticket"]["comment"]
    assert comment["public"] is False
    assert len(comment["uploads"]) == 1


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("+14155550123", "Caller +1 415-555-0123"),
        ("+442071838750", "Caller +44 20 7183 8750"),
        ("+99912", "Caller +99912"),
    ],
)
def test_the_callers_name_is_their_number_as_people_write_it(number: str, name: str) -> None:
    assert caller_name(number) == name
