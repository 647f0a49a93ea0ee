"""What a voice agent reads out about a caller's tickets: one or two plain sentences.

Kept apart from the look-up so the wording has one home (the route and the MCP tool answer the
same ``say``). It names the ticket numbers, the states in plain words and when each ticket last
moved - never a subject, a comment or a note: whoever hears it, hears only that.

Times are said in UTC (the bridge does not know the caller's zone) and relative to now, so they
read well aloud: "today at 14:05 UTC", "yesterday at 09:12 UTC", "on Monday at 17:30 UTC" within
the past week, else "on 3 December at 08:00 UTC" (with the year when it is not this year's).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from domain.ticket import TicketState, TicketStatus

# (one ticket: "is ...", several in that state: "... tickets" / "tickets ...")
_SINGLE: dict[TicketState, str] = {
    TicketState.OPEN: "is open",
    TicketState.PENDING: "is waiting for a reply from you",
    TicketState.SOLVED: "is solved",
    TicketState.CLOSED: "is closed",
    TicketState.QUEUED: "has been received and will be filed shortly",
}
_GROUP: dict[TicketState, str] = {
    TicketState.OPEN: "{count} open tickets",
    TicketState.PENDING: "{count} tickets waiting for a reply from you",
    TicketState.SOLVED: "{count} solved tickets",
    TicketState.CLOSED: "{count} closed tickets",
    TicketState.QUEUED: "{count} requests that will be filed shortly",
}
_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five"}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def spoken_time(epoch: float, now: float) -> str:
    """``epoch`` as said relative to ``now`` (both epoch seconds), in UTC."""
    moment = datetime.fromtimestamp(epoch, UTC)
    today = datetime.fromtimestamp(now, UTC).date()
    clock = f"{moment:%H:%M} UTC"
    days_ago = (today - moment.date()).days
    if days_ago <= 0:  # today (or a helpdesk clock slightly ahead of ours)
        return f"today at {clock}"
    if days_ago == 1:
        return f"yesterday at {clock}"
    if days_ago < 7:
        return f"on {_WEEKDAYS[moment.weekday()]} at {clock}"
    day = f"{moment.day} {_MONTHS[moment.month - 1]}"
    if moment.year != today.year:
        day += f" {moment.year}"
    return f"on {day} at {clock}"


def _joined(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def say_tickets(tickets: Sequence[TicketStatus], now: float) -> str:
    """The caller's tickets (newest first), or that there are none."""
    if not tickets:
        return "I found no open or recently solved tickets for this phone number."
    if len(tickets) == 1:
        return say_ticket(tickets[0], now)
    count = _COUNTS.get(len(tickets), str(len(tickets)))
    states = {ticket.state for ticket in tickets}
    if len(states) == 1:
        (state,) = states
        listed = f"You have {_GROUP[state].format(count=count)}: "
        listed += _joined([ticket.id for ticket in tickets]) + "."
    else:
        parts = [f"{ticket.id} {_SINGLE[ticket.state]}" for ticket in tickets]
        listed = f"You have {count} tickets: {_joined(parts)}."
    latest = max(tickets, key=lambda ticket: ticket.updated_at)
    moved = f"Ticket {latest.id} was updated most recently, {spoken_time(latest.updated_at, now)}."
    return f"{listed} {moved}"


def say_ticket(ticket: TicketStatus, now: float, reference: str | None = None) -> str:
    """One ticket; ``reference``: the queued hand-off it was filed from, named first."""
    when = spoken_time(ticket.updated_at, now)
    if ticket.state is TicketState.QUEUED:
        return f"Your request {ticket.id} {_SINGLE[ticket.state]}."
    if reference is not None:
        return (
            f"Your request {reference} became ticket {ticket.id}, which "
            f"{_SINGLE[ticket.state]}; it was last updated {when}."
        )
    return f"Your ticket {ticket.id} {_SINGLE[ticket.state]}; it was last updated {when}."


def say_kept_for_the_team(reference: str) -> str:
    """A queued hand-off that was not delivered in time (``dead``): kept, for an operator."""
    return f"Your request {reference} has been received; our team will follow up on it."


def say_not_found(ticket_id: str) -> str:
    """No ticket, and no queued hand-off, has the id the caller gave."""
    if ticket_id.startswith("HB-"):
        return f"I could not find a request with the reference {ticket_id}."
    return f"I could not find a ticket with the number {ticket_id}."
