"""The wire form of a ticket-status look-up, shared by ``POST /ingest/ticket-status`` and the
``helpdesk_get_ticket_status`` tool, so both answer the same tickets with the same ``say``.

The input is the use case's own command (``TicketStatusCommand``), decoded by
``entrypoints.wire.bodies.decode`` exactly as every other input; this module maps the result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec

from application.use_cases.ticket_status import MAX_CALLER_TICKETS, TicketStatusResult
from domain.ticket import TicketState, TicketStatus
from entrypoints.wire.bodies import Wire

IsoTime = Annotated[
    str,
    msgspec.Meta(
        description="ISO-8601 in UTC with milliseconds, e.g. 2026-12-01T09:41:07.312Z.",
        examples=["2026-12-01T09:41:07.312Z"],
    ),
]


def iso_utc(epoch: float) -> str:
    """Epoch seconds as the API writes every time (``2026-12-01T09:41:07.312Z``)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TicketStatusEntry(Wire, frozen=True):
    """One ticket as a caller may be told of it: no comment, no internal note, no caller."""

    ticket_id: Annotated[
        str,
        msgspec.Meta(
            description="The helpdesk's ticket id, or for a queued hand-off its reference "
            "(HB-XXXXXX)."
        ),
    ]
    ticket_url: Annotated[
        str,
        msgspec.Meta(description="The ticket in the helpdesk, or a queued hand-off's status page."),
    ]
    state: Annotated[
        TicketState,
        msgspec.Meta(
            description="open, pending (waiting for a reply from the caller), solved, closed, "
            "or queued (a hand-off the bridge keeps until the helpdesk takes it)."
        ),
    ]
    subject: Annotated[str, msgspec.Meta(description="The ticket's one-line subject.")]
    created_at: IsoTime
    updated_at: IsoTime


Tickets = Annotated[
    list[TicketStatusEntry],
    msgspec.Meta(
        description="By phone: the caller's tickets that are not closed, newest first, at most "
        f"{MAX_CALLER_TICKETS}. By id: that ticket. Empty when nothing was found."
    ),
]
Say = Annotated[
    str,
    msgspec.Meta(
        description="One or two sentences for a voice agent to read out: ticket numbers, "
        "states in plain words, when they last changed (UTC). Never the subject."
    ),
]


class TicketStatusBody(Wire, frozen=True):
    """``POST /ingest/ticket-status``: 200 ``{"status": "ok", "tickets": [...], "say": ...}``."""

    status: str
    tickets: Tickets
    say: Say


def ticket_entry(ticket: TicketStatus) -> TicketStatusEntry:
    return TicketStatusEntry(
        ticket_id=ticket.id,
        ticket_url=ticket.url,
        state=ticket.state,
        subject=ticket.subject,
        created_at=iso_utc(ticket.created_at),
        updated_at=iso_utc(ticket.updated_at),
    )


def ticket_status_body(result: TicketStatusResult) -> TicketStatusBody:
    """The one mapping of a look-up to the wire (route and MCP tool)."""
    return TicketStatusBody(
        status="ok", tickets=[ticket_entry(ticket) for ticket in result.tickets], say=result.say
    )
