"""The ``HelpdeskGateway`` contract for a caller ringing back, and for a call's record: every
backend (mock, zendesk, rt) reads a ticket, finds a caller's tickets and attaches files to an
internal note the same way at the port.

Backend specifics (Zendesk's requester, each backend's status names) live in their own tests.
"""

from __future__ import annotations

import msgspec
import pytest

from adapters.clock import SystemClock
from application.errors import HelpdeskUnavailable
from application.timing.deadline import Deadline
from domain.ticket import MAX_ATTACHMENTS, Attachment, TicketState
from tests.support.helpdesk.harness import Harness
from tests.support.helpdesk_samples import hand_off

TRANSCRIPT = "Agent: Hello, how can I help?\nCaller: Mon Wi-Fi est tombé ☹ depuis 8 h.\n" * 40


def caller(unique: str) -> str:
    """A caller number no other test (or earlier session of the real RT) has used."""
    return f"+1415{int(unique, 16) % 10**7:07d}"


async def test_get_ticket_reads_state_subject_and_times(helpdesk: Harness, unique: str) -> None:
    ticket = hand_off(f"oa:{unique}")
    ref = await helpdesk.gateway.create_ticket(ticket)
    status = await helpdesk.gateway.get_ticket(ref.id)
    assert status is not None
    assert (status.id, status.url, status.state) == (ref.id, ref.url, TicketState.OPEN)
    assert status.subject == ticket.subject
    assert abs(status.created_at - ref.created_at) <= 5
    assert status.updated_at >= status.created_at


async def test_get_ticket_follows_the_ticket_through_its_states(
    helpdesk: Harness, unique: str
) -> None:
    ref = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    await helpdesk.close(ref.id)
    solved = await helpdesk.gateway.get_ticket(ref.id)
    assert solved is not None
    assert solved.state is TicketState.SOLVED
    await helpdesk.close_for_good(ref.id)
    closed = await helpdesk.gateway.get_ticket(ref.id)
    assert closed is not None
    assert closed.state is TicketState.CLOSED


async def test_a_status_never_carries_an_internal_note(helpdesk: Harness, unique: str) -> None:
    number = caller(unique)
    ref = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}", caller_number=number))
    secret = f"Internal only: account flagged {unique}"
    await helpdesk.gateway.append_note(ref.id, secret, "Tier2")
    status = await helpdesk.gateway.get_ticket(ref.id)
    found = await helpdesk.gateway.find_caller_tickets(number, 5)
    assert [t.id for t in found] == [ref.id]
    encoded = msgspec.json.encode([status, *found]).decode()
    assert unique not in encoded
    assert "Internal only" not in encoded


async def test_get_ticket_of_an_unknown_ticket_is_none(helpdesk: Harness) -> None:
    assert await helpdesk.gateway.get_ticket(helpdesk.unknown_ticket_id) is None


@pytest.mark.parametrize("ticket_id", ["", "not-a-ticket", "../users/me", "12 34"])
async def test_get_ticket_of_a_malformed_id_is_none(helpdesk: Harness, ticket_id: str) -> None:
    assert await helpdesk.gateway.get_ticket(ticket_id) is None


async def test_a_callers_tickets_are_theirs_newest_first(helpdesk: Harness, unique: str) -> None:
    number, other = caller(unique), caller(unique[::-1])
    first = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=number))
    await helpdesk.gateway.create_ticket(hand_off(None, caller_number=other))
    second = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=number))
    third = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=number))
    found = await helpdesk.gateway.find_caller_tickets(number, 10)
    assert [t.id for t in found] == [third.id, second.id, first.id]
    assert {t.state for t in found} == {TicketState.OPEN}
    assert found[0].url == third.url
    limited = await helpdesk.gateway.find_caller_tickets(number, 2)
    assert [t.id for t in limited] == [third.id, second.id]


async def test_a_callers_tickets_leave_out_closed_ones_but_not_solved(
    helpdesk: Harness, unique: str
) -> None:
    number = caller(unique)
    kept = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=number))
    solved = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=number))
    gone = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=number))
    await helpdesk.close(solved.id)
    await helpdesk.close_for_good(gone.id)
    found = await helpdesk.gateway.find_caller_tickets(number, 10)
    assert [(t.id, t.state) for t in found] == [
        (solved.id, TicketState.SOLVED),
        (kept.id, TicketState.OPEN),
    ]


async def test_a_callers_tickets_are_found_after_a_restart(helpdesk: Harness, unique: str) -> None:
    number = caller(unique)
    ticket = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=number))
    found = await helpdesk.fresh_gateway().find_caller_tickets(number, 5)
    assert [t.id for t in found] == [ticket.id]


async def test_an_unknown_caller_has_no_tickets(helpdesk: Harness, unique: str) -> None:
    assert await helpdesk.gateway.find_caller_tickets(caller(unique), 5) == []
    assert await helpdesk.gateway.find_caller_tickets(caller(unique), 0) == []


async def test_reading_needs_time_left(helpdesk: Harness, unique: str) -> None:
    ref = await helpdesk.gateway.create_ticket(hand_off(None, caller_number=caller(unique)))
    spent = Deadline(SystemClock(), 0.0)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await helpdesk.gateway.get_ticket(ref.id, spent)
    assert caught.value.uncertain is False
    with pytest.raises(HelpdeskUnavailable) as caught:
        await helpdesk.gateway.find_caller_tickets(caller(unique), 5, spent)
    assert caught.value.uncertain is False


# --- files with an internal note ------------------------------------------------------------------


async def test_a_note_carries_its_files(helpdesk: Harness, unique: str) -> None:
    ref = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    transcript = Attachment.text("transcript.txt", TRANSCRIPT)
    log = Attachment("call.json", "application/json", b'{"turns": 80}')
    await helpdesk.gateway.append_note(
        ref.id, "Call summary: router replaced.", "PostCall", attachments=[transcript, log]
    )
    notes = await helpdesk.notes(ref.id)
    assert len(notes) == 1
    assert "Call summary: router replaced." in notes[0]
    assert await helpdesk.attachments(ref.id) == [
        ("transcript.txt", "text/plain", TRANSCRIPT.encode()),
        ("call.json", "application/json", b'{"turns": 80}'),
    ]


async def test_a_note_without_files_has_none(helpdesk: Harness, unique: str) -> None:
    ref = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    await helpdesk.gateway.append_note(ref.id, "Plain note.", None)
    assert await helpdesk.attachments(ref.id) == []


async def test_too_many_files_are_refused_before_anything_is_posted(
    helpdesk: Harness, unique: str
) -> None:
    ref = await helpdesk.gateway.create_ticket(hand_off(f"oa:{unique}"))
    files = [Attachment.text(f"part-{n}.txt", "x") for n in range(MAX_ATTACHMENTS + 1)]
    with pytest.raises(ValueError, match="at most"):
        await helpdesk.gateway.append_note(ref.id, "Too much.", None, attachments=files)
    assert await helpdesk.notes(ref.id) == []
