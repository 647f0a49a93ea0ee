"""How a look-up is said to a caller: relative days in UTC, the states in plain words, at most
two sentences, every ticket number and never a subject."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.speech.ticket_status import say_tickets, spoken_time
from application.use_cases.ticket_status import MAX_CALLER_TICKETS
from domain.ticket import TicketState, TicketStatus

# Tuesday 1 December 2026, 15:30 UTC
NOW = datetime(2026, 12, 1, 15, 30, tzinfo=UTC).timestamp()


def at(day: int, hour: int, minute: int, month: int = 12, year: int = 2026) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


SPOKEN = [
    (at(1, 14, 5), "today at 14:05 UTC"),
    (at(1, 16, 0), "today at 16:00 UTC"),  # a helpdesk clock a little ahead
    (at(30, 23, 59, month=11), "yesterday at 23:59 UTC"),
    (at(28, 9, 12, month=11), "on Saturday at 09:12 UTC"),
    (at(24, 9, 12, month=11), "on 24 November at 09:12 UTC"),
    (at(3, 8, 0, month=12, year=2025), "on 3 December 2025 at 08:00 UTC"),
]


@pytest.mark.parametrize(("epoch", "spoken"), SPOKEN)
def test_times_are_said_relative_to_today_in_utc(epoch: float, spoken: str) -> None:
    assert spoken_time(epoch, NOW) == spoken


def status(ticket_id: str, state: TicketState, updated_at: float = NOW) -> TicketStatus:
    return TicketStatus(ticket_id, "https://x", state, "[WiFi] secret subject", NOW, updated_at)


SAID = [
    (
        [status("1234", TicketState.OPEN, at(1, 14, 5))],
        "Your ticket 1234 is open; it was last updated today at 14:05 UTC.",
    ),
    (
        [status("1234", TicketState.PENDING, at(30, 9, 0, month=11))],
        "Your ticket 1234 is waiting for a reply from you; it was last updated yesterday at "
        "09:00 UTC.",
    ),
    (
        [status("1234", TicketState.OPEN, at(1, 14, 5)), status("1230", TicketState.OPEN)],
        "You have two open tickets: 1234 and 1230. Ticket 1230 was updated most recently, "
        "today at 15:30 UTC.",
    ),
    (
        [
            status("1234", TicketState.OPEN, at(1, 14, 5)),
            status("1230", TicketState.SOLVED, at(30, 9, 0, month=11)),
            status("1228", TicketState.PENDING, at(29, 9, 0, month=11)),
        ],
        "You have three tickets: 1234 is open, 1230 is solved and 1228 is waiting for a reply "
        "from you. Ticket 1234 was updated most recently, today at 14:05 UTC.",
    ),
]


@pytest.mark.parametrize(("tickets", "said"), SAID)
def test_what_is_said(tickets: list[TicketStatus], said: str) -> None:
    assert say_tickets(tickets, NOW) == said


ticket_lists = st.lists(
    st.builds(
        TicketStatus,
        id=st.from_regex(r"\A[0-9]{1,8}\Z"),
        url=st.just("https://x"),
        state=st.sampled_from([s for s in TicketState if s is not TicketState.QUEUED]),
        subject=st.text(min_size=1).map(lambda text: f"SUBJECT {text}"),
        created_at=st.just(NOW),
        updated_at=st.floats(min_value=0, max_value=NOW + 3600),
    ),
    max_size=MAX_CALLER_TICKETS,
    unique_by=lambda ticket: ticket.id,
)


@given(ticket_lists)
def test_it_is_at_most_two_sentences_naming_every_ticket_and_no_subject(
    tickets: list[TicketStatus],
) -> None:
    said = say_tickets(tickets, NOW)
    assert said.endswith(".")
    assert said.count(". ") <= 1  # at most two sentences
    assert "SUBJECT" not in said
    assert all(ticket.id in said for ticket in tickets)
