"""The ticket-status look-up against the in-memory adapters: what a caller ringing back is told,
by phone number or by id (a helpdesk id or a queued hand-off's reference), and how it is said."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from application.errors import HelpdeskUnavailable, StoreUnavailable
from application.filing.handoff_queue import QueuedProblem, encode_queued
from application.filing.problem import Problem
from application.ports import QueuedHandoff
from application.timing.deadline import Deadline
from application.use_cases.ticket_status import (
    MAX_CALLER_TICKETS,
    NEITHER_MESSAGE,
    TicketStatusCommand,
    TicketStatusLookup,
)
from domain.errors import FORM_ERRORS, InvalidInput
from domain.phone import CallerNumber
from domain.taxonomy import Category, EscalationReason
from domain.ticket import NewTicket, TicketState, TicketStatus
from tests.support.stores.memory_outbox import MemoryOutbox

CALLER = "+14155552671"
OTHER_CALLER = "+14155550100"
# Tuesday 1 December 2026, 15:30 UTC
NOW = datetime(2026, 12, 1, 15, 30, tzinfo=UTC).timestamp()
BASE_URL = "https://bridge.example.com"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def helpdesk(clock: ManualClock) -> MockHelpdesk:
    return MockHelpdesk(clock)


@pytest.fixture
def outbox() -> MemoryOutbox:
    return MemoryOutbox()


@pytest.fixture
def lookup(helpdesk: MockHelpdesk, outbox: MemoryOutbox, clock: ManualClock) -> TicketStatusLookup:
    return TicketStatusLookup(helpdesk, outbox, clock, BASE_URL)


async def file(
    helpdesk: MockHelpdesk, caller: str | None = CALLER, summary: str = "No WiFi"
) -> str:
    ticket = NewTicket(
        subject=f"[WiFi] {summary}",
        body="Category: WiFi\nReason: Other\nSummary: secret body text\nConfidence: 0.5",
        category=Category.WIFI,
        reason=EscalationReason.OTHER,
        caller_number=caller,
    )
    return (await helpdesk.create_ticket(ticket)).id


def problem(summary: str = "No WiFi since the storm") -> bytes:
    resolved = Problem(
        category=Category.WIFI,
        reason=EscalationReason.CALLER_REQUESTED,
        summary=summary,
        body="the whole note, never disclosed",
        confidence="0.8",
        caller_number=CallerNumber(CALLER),
        oa_key=None,
        source="Webhook",
    )
    return encode_queued(QueuedProblem(problem=resolved, request_key="k"))


async def queue(outbox: MemoryOutbox, reference: str, queued_at: float = NOW - 600) -> None:
    await outbox.put(
        QueuedHandoff(
            reference=reference, problem=problem(), dedup_keys=(reference,), queued_at=queued_at
        )
    )


# --- by phone ---------------------------------------------------------------------------------


async def test_by_phone_the_callers_tickets_that_are_not_closed_newest_first(
    lookup: TicketStatusLookup, helpdesk: MockHelpdesk, clock: ManualClock
) -> None:
    ids = [await file(helpdesk) for _ in range(MAX_CALLER_TICKETS + 2)]
    await file(helpdesk, OTHER_CALLER)
    await file(helpdesk, None)
    helpdesk.close_ticket(ids[-1], TicketState.CLOSED)
    helpdesk.close_ticket(ids[-2], TicketState.SOLVED)
    result = await lookup.execute(TicketStatusCommand(caller_number="+1 (415) 555-2671"))
    assert [t.id for t in result.tickets] == list(reversed(ids[:-1]))[:MAX_CALLER_TICKETS]
    assert [t.state for t in result.tickets][:2] == [TicketState.SOLVED, TicketState.OPEN]


async def test_by_phone_a_hand_off_still_queued_is_listed_as_queued(
    lookup: TicketStatusLookup, helpdesk: MockHelpdesk, outbox: MemoryOutbox
) -> None:
    filed = await file(helpdesk)  # filed now; the queued one ten minutes ago
    await queue(outbox, "HB-7KQ2MX")
    await outbox.put(
        QueuedHandoff(reference="HB-UNREAD", problem=b"not a problem", dedup_keys=(), queued_at=NOW)
    )
    result = await lookup.execute(TicketStatusCommand(caller_number=CALLER))
    assert [(t.id, t.state) for t in result.tickets] == [
        (filed, TicketState.OPEN),
        ("HB-7KQ2MX", TicketState.QUEUED),
    ]
    other = await lookup.execute(TicketStatusCommand(caller_number=OTHER_CALLER))
    assert other.tickets == ()


async def test_by_phone_nothing_found_is_an_answer(lookup: TicketStatusLookup) -> None:
    result = await lookup.execute(TicketStatusCommand(caller_number=CALLER))
    assert result.tickets == ()
    assert result.say == "I found no open or recently solved tickets for this phone number."


# --- by id ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(TicketState)[:4])
async def test_by_id_the_ticket_whatever_its_state(
    lookup: TicketStatusLookup, helpdesk: MockHelpdesk, state: TicketState
) -> None:
    ticket_id = await file(helpdesk)
    helpdesk.close_ticket(ticket_id, state)
    result = await lookup.execute(TicketStatusCommand(ticket_id=f" #{ticket_id} "))
    assert [(t.id, t.state, t.subject) for t in result.tickets] == [
        (ticket_id, state, "[WiFi] No WiFi")
    ]
    assert result.say.startswith(f"Your ticket {ticket_id} is ")


async def test_the_id_wins_over_the_number(
    lookup: TicketStatusLookup, helpdesk: MockHelpdesk
) -> None:
    await file(helpdesk)
    other = await file(helpdesk, OTHER_CALLER)
    result = await lookup.execute(TicketStatusCommand(caller_number=CALLER, ticket_id=other))
    assert [t.id for t in result.tickets] == [other]


@pytest.mark.parametrize(
    ("ticket_id", "say"),
    [
        ("TKT-4242", "I could not find a ticket with the number TKT-4242."),
        ("hb-zzzzzz", "I could not find a request with the reference HB-ZZZZZZ."),
    ],
)
async def test_an_unknown_id_is_an_answer(
    lookup: TicketStatusLookup, ticket_id: str, say: str
) -> None:
    result = await lookup.execute(TicketStatusCommand(ticket_id=ticket_id))
    assert (result.tickets, result.say) == ((), say)


async def test_a_queued_hand_offs_reference_is_queued(
    lookup: TicketStatusLookup, outbox: MemoryOutbox
) -> None:
    await queue(outbox, "HB-7KQ2MX")
    result = await lookup.execute(TicketStatusCommand(ticket_id="hb-7kq 2mx"))
    (ticket,) = result.tickets
    assert ticket == TicketStatus(
        id="HB-7KQ2MX",
        url=f"{BASE_URL}/handoffs/HB-7KQ2MX",
        state=TicketState.QUEUED,
        subject="[WiFi] No WiFi since the storm",  # the subject its ticket will have
        created_at=NOW - 600,
        updated_at=NOW - 600,
    )
    assert result.say == "Your request HB-7KQ2MX has been received and will be filed shortly."


async def test_a_dead_hand_off_is_queued_and_left_to_the_team(
    lookup: TicketStatusLookup, outbox: MemoryOutbox
) -> None:
    await queue(outbox, "HB-7KQ2MX")
    await outbox.kill("HB-7KQ2MX", "too old", NOW)
    result = await lookup.execute(TicketStatusCommand(ticket_id="HB-7KQ2MX"))
    assert [t.state for t in result.tickets] == [TicketState.QUEUED]
    assert result.say == "Your request HB-7KQ2MX has been received; our team will follow up on it."


async def test_a_delivered_hand_off_is_its_ticket_read_from_the_helpdesk(
    lookup: TicketStatusLookup, outbox: MemoryOutbox, helpdesk: MockHelpdesk, clock: ManualClock
) -> None:
    await queue(outbox, "HB-7KQ2MX")
    ticket_id = await file(helpdesk)
    await outbox.delivered("HB-7KQ2MX", ticket_id, "https://helpdesk.example.com/x", NOW)
    clock.advance(3600)
    helpdesk.close_ticket(ticket_id, TicketState.SOLVED)
    result = await lookup.execute(TicketStatusCommand(ticket_id="HB-7KQ2MX"))
    assert [(t.id, t.state) for t in result.tickets] == [(ticket_id, TicketState.SOLVED)]
    assert result.say == (
        f"Your request HB-7KQ2MX became ticket {ticket_id}, which is solved; it was last "
        "updated today at 16:30 UTC."
    )


# --- refusals and failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        TicketStatusCommand(),
        TicketStatusCommand(caller_number="", ticket_id=""),
        TicketStatusCommand(ticket_id="  #  "),
    ],
)
async def test_neither_field_is_refused(
    lookup: TicketStatusLookup, command: TicketStatusCommand
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await lookup.execute(command)
    assert refused.value.field_errors == {FORM_ERRORS: [NEITHER_MESSAGE]}


async def test_a_bad_number_is_refused_even_with_an_id(lookup: TicketStatusLookup) -> None:
    with pytest.raises(InvalidInput) as refused:
        await lookup.execute(TicketStatusCommand(caller_number="12345", ticket_id="TKT-1000"))
    assert set(refused.value.field_errors) == {"callerNumber"}


@pytest.mark.parametrize(
    "command",
    [TicketStatusCommand(caller_number=CALLER), TicketStatusCommand(ticket_id="TKT-1000")],
)
async def test_helpdesk_failures_are_the_ports_errors(
    lookup: TicketStatusLookup,
    helpdesk: MockHelpdesk,
    clock: ManualClock,
    command: TicketStatusCommand,
) -> None:
    helpdesk.healthy = False
    with pytest.raises(HelpdeskUnavailable):
        await lookup.execute(command)
    helpdesk.healthy = True
    with pytest.raises(HelpdeskUnavailable):  # no time left before the deadline
        await lookup.execute(command, Deadline(clock, 0.0))


async def test_an_outbox_that_cannot_be_read_is_store_unavailable(
    lookup: TicketStatusLookup, outbox: MemoryOutbox
) -> None:
    outbox.available = False
    with pytest.raises(StoreUnavailable):
        await lookup.execute(TicketStatusCommand(ticket_id="HB-7KQ2MX"))
