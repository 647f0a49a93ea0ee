"""The ``HelpdeskGateway`` contract: every backend (mock, zendesk, rt) behaves the same at the port.

Adapter-specific behaviour (payload shapes, retries, the circuit) lives in its own tests.
"""

from __future__ import annotations

import time

import pytest

from adapters.clock import SystemClock
from application.errors import HelpdeskUnavailable, TicketNotFound
from application.timing.deadline import MIN_ATTEMPT_SECONDS, Deadline
from domain.ticket import NewTicket, TicketRef
from tests.support.helpdesk.harness import Harness
from tests.support.helpdesk_samples import hand_off


async def test_create_returns_a_ticket_reference(helpdesk: Harness, unique: str) -> None:
    before = time.time()
    ticket = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}", unique))
    assert ticket.id
    assert ticket.url.startswith(("http://", "https://"))
    assert before - 120 <= ticket.created_at <= time.time() + 120


async def test_each_create_opens_a_new_ticket(helpdesk: Harness, unique: str) -> None:
    first = await helpdesk.gateway.create_ticket(hand_off(None, f"{unique}-1"))
    second = await helpdesk.gateway.create_ticket(hand_off(None, f"{unique}-2"))
    assert first.id != second.id
    assert first.url != second.url


async def test_append_note_adds_an_internal_note(helpdesk: Harness, unique: str) -> None:
    ticket = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    await helpdesk.gateway.append_note(ticket.id, "Caller rang back: still no WiFi.", "OutageAgent")
    await helpdesk.gateway.append_note(ticket.id, "Technician booked for Monday.", None)
    notes = await helpdesk.notes(ticket.id)
    assert len(notes) == 2
    assert "Caller rang back: still no WiFi." in notes[0]
    assert "Technician booked for Monday." in notes[1]


async def test_append_note_to_an_unknown_ticket_raises_ticket_not_found(
    helpdesk: Harness,
) -> None:
    with pytest.raises(TicketNotFound):
        await helpdesk.gateway.append_note(helpdesk.unknown_ticket_id, "Hello there", None)


@pytest.mark.parametrize("ticket_id", ["", "not-a-ticket", "../users/me"])
async def test_append_note_to_a_malformed_id_raises_ticket_not_found(
    helpdesk: Harness, ticket_id: str
) -> None:
    with pytest.raises(TicketNotFound):
        await helpdesk.gateway.append_note(ticket_id, "Hello there", None)


async def test_find_open_ticket_finds_the_ticket_filed_under_a_key(
    helpdesk: Harness, unique: str
) -> None:
    ticket = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    found = await helpdesk.gateway.find_open_ticket([f"oa:{unique}"])
    assert found is not None
    assert (found.id, found.url) == (ticket.id, ticket.url)
    assert abs(found.created_at - ticket.created_at) <= 5


async def test_find_open_ticket_survives_a_restart(helpdesk: Harness, unique: str) -> None:
    """Dedup asks the helpdesk, so a new bridge process still finds the ticket."""
    ticket = await helpdesk.gateway.create_ticket(hand_off(f"caller:+14155550123:WiFi:{unique}"))
    restarted = helpdesk.fresh_gateway()
    found = await restarted.find_open_ticket(["oa:other", f"caller:+14155550123:WiFi:{unique}"])
    assert found is not None
    assert found.id == ticket.id


async def test_find_open_ticket_prefers_the_strongest_key(helpdesk: Harness, unique: str) -> None:
    by_oa = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    by_caller = await helpdesk.gateway.create_ticket(hand_off(f"caller:{unique}"))
    found = await helpdesk.gateway.find_open_ticket([f"oa:{unique}", f"caller:{unique}"])
    assert found is not None
    assert found.id == by_oa.id
    found = await helpdesk.gateway.find_open_ticket([f"caller:{unique}", f"oa:{unique}"])
    assert found is not None
    assert found.id == by_caller.id


async def test_find_open_ticket_misses_unknown_keys(helpdesk: Harness, unique: str) -> None:
    await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    assert await helpdesk.gateway.find_open_ticket([f"oa:{unique}-other"]) is None
    assert await helpdesk.gateway.find_open_ticket([]) is None


async def test_find_open_ticket_ignores_solved_tickets(helpdesk: Harness, unique: str) -> None:
    ticket = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    await helpdesk.close(ticket.id)
    assert await helpdesk.gateway.find_open_ticket([f"oa:{unique}"]) is None


async def test_keys_with_quotes_and_backslashes_match_exactly(
    helpdesk: Harness, unique: str
) -> None:
    odd = f"oa:it's a \\ 'quoted' \"key\" {unique}"
    ticket = await helpdesk.gateway.create_ticket(hand_off(odd))
    found = await helpdesk.gateway.find_open_ticket([odd])
    assert found is not None
    assert found.id == ticket.id
    assert await helpdesk.gateway.find_open_ticket([f"oa:it's a {unique}"]) is None


async def test_health_is_true_for_a_working_helpdesk(helpdesk: Harness) -> None:
    assert await helpdesk.gateway.check_health() is True


async def test_bad_credentials_fail_health_and_creates(helpdesk: Harness, unique: str) -> None:
    refused = helpdesk.bad_credentials_gateway()
    assert await refused.check_health() is False
    with pytest.raises(HelpdeskUnavailable):
        await refused.create_ticket(hand_off(f"oa:{unique}"))


# --- one ticket per problem: retried creates and the deadline ------------------------------------


async def retried_create(helpdesk: Harness, ticket: NewTicket) -> TicketRef:
    """The create again, from another bridge instance, as the bridge retries one on this backend:
    by its ``request_key`` where the helpdesk honours one, else by first asking for the ticket
    filed under its dedup key (RT: the custom field is the record)."""
    gateway = helpdesk.fresh_gateway()
    if not helpdesk.idempotent_creates and ticket.dedup_key:
        found = await gateway.find_open_ticket([ticket.dedup_key])
        if found is not None:
            return found
    return await gateway.create_ticket(ticket)


async def test_a_create_retried_with_the_same_request_key_opens_one_ticket(
    helpdesk: Harness, unique: str
) -> None:
    ticket = hand_off(f"oa:{unique}", f"create-{unique}")
    first = await helpdesk.gateway.create_ticket(ticket)
    again = await retried_create(helpdesk, ticket)
    assert (again.id, again.url) == (first.id, first.url)
    assert await helpdesk.tickets_under(f"oa:{unique}") == 1


@pytest.mark.parametrize("left", [0.0, MIN_ATTEMPT_SECONDS / 2], ids=["spent", "too-short"])
async def test_no_call_starts_without_time_left_and_nothing_is_filed(
    helpdesk: Harness, unique: str, left: float
) -> None:
    deadline = Deadline(SystemClock(), left)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}", unique), deadline)
    assert caught.value.uncertain is False
    with pytest.raises(HelpdeskUnavailable):
        await helpdesk.gateway.find_open_ticket([f"oa:{unique}"], deadline)
    assert await helpdesk.tickets_under(f"oa:{unique}") == 0


async def test_a_hand_off_inside_its_deadline_is_filed_and_found(
    helpdesk: Harness, unique: str
) -> None:
    deadline = Deadline(SystemClock(), 60.0)
    assert await helpdesk.gateway.find_open_ticket([f"oa:{unique}"], deadline) is None
    ticket = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}", unique), deadline)
    found = await helpdesk.gateway.find_open_ticket([f"oa:{unique}"], deadline)
    assert found is not None
    assert found.id == ticket.id
