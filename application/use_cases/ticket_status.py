"""A caller ringing back: "what happened to my ticket?" - ``POST /ingest/ticket-status`` and the
``helpdesk_get_ticket_status`` tool.

By phone number: the caller's tickets that are not closed, newest first, at most
``MAX_CALLER_TICKETS``. By id: that one ticket whatever its state - a helpdesk id is read from
the helpdesk, a bridge reference (``HB-...``) from the outbox (still queued: ``queued``; filed:
the real ticket, read from the helpdesk). What is answered is a ticket's state, subject and
times, and a sentence to read out; nothing of its comments or internal notes is ever read.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from application.errors import TicketNotFound
from application.filing.handoff_queue import decode_queued, handoff_url
from application.ids import REFERENCE_PREFIX, normalised_reference
from application.inputs.checks import FieldErrors, caller_number, present
from application.inputs.field_rules import rule
from application.inputs.fields import MAX_TICKET_ID_CHARS, CallerNumberText, Command
from application.ports import Clock, HelpdeskGateway, Outbox, OutboxState, QueuedHandoff
from application.speech.ticket_status import (
    say_kept_for_the_team,
    say_not_found,
    say_ticket,
    say_tickets,
)
from application.timing.deadline import Deadline
from domain.errors import FORM_ERRORS, InvalidInput
from domain.ticket import TicketState, TicketStatus, ticket_subject

MAX_CALLER_TICKETS = 5
QUEUED_SCAN_LIMIT = 1_000
"""Queued hand-offs read to find a caller's (the oldest first; more are a long outage's backlog,
whose newest a caller would not be told of until the backlog drains below this)."""
NEITHER_MESSAGE = "Give callerNumber or ticketId (at least one)"
QUEUED_SUBJECT = "Escalation"  # a queued hand-off whose problem cannot be read (never expected)

StatusTicketId = Annotated[
    str,
    rule(
        "The ticket to look up: its number as a previous call or the caller gives it (e.g. "
        "1234, TKT-1000; a leading # is fine), or the bridge reference of a queued hand-off "
        "(HB-7KQ2MX; case and spaces do not matter).",
        example="1234",
        max_length=MAX_TICKET_ID_CHARS,
        empty_is_absent=True,
    ),
]


class TicketStatusCommand(Command, frozen=True, kw_only=True):
    """The route's body and the tool's arguments: at least one of the two."""

    caller_number: CallerNumberText | None = None
    ticket_id: StatusTicketId | None = None


class TicketStatusResult(msgspec.Struct, frozen=True):
    """The tickets found (a queued hand-off as a ``queued`` one, its reference as the id) and
    the sentence a voice agent reads out about them."""

    tickets: tuple[TicketStatus, ...]
    say: str


class TicketStatusLookup:
    """Look up a caller's tickets by phone number, or one ticket by its id.

    Rules:
    - At least one of ``callerNumber`` / ``ticketId``; an empty one means absent; both: the id
      wins (the number is still checked). ``callerNumber`` is normalised as the hand-off's is.
    - By number: the helpdesk's tickets of that caller that are not closed, newest first, at
      most ``MAX_CALLER_TICKETS``. Queued hand-offs are found by their reference, not by number.
    - By id: ``HB-...`` is a queued hand-off: queued -> ``queued``; dead (not delivered in time,
      kept for an operator) -> ``queued`` too, with "our team will follow up"; delivered -> its
      ticket, read from the helpdesk. Any other id is read from the helpdesk, whatever its state.
    - Nothing found is an answer (no tickets, a sentence saying so), never an error.
    - The helpdesk is called inside ``deadline``; its failures are the port's errors.
    """

    def __init__(
        self,
        helpdesk: HelpdeskGateway,
        outbox: Outbox,
        clock: Clock,
        public_base_url: str = "",
        phone_region: str | None = None,
    ) -> None:
        self._helpdesk = helpdesk
        self._outbox = outbox
        self._clock = clock
        self._base_url = public_base_url
        self._region = phone_region

    async def execute(
        self, command: TicketStatusCommand, deadline: Deadline | None = None
    ) -> TicketStatusResult:
        errors = FieldErrors()
        number = caller_number(errors, command.caller_number, self._region)
        errors.raise_if_any()
        ticket_id = present((command.ticket_id or "").strip().removeprefix("#"))
        if ticket_id is not None:
            return await self._by_id(ticket_id, deadline)
        if number is None:
            raise InvalidInput({FORM_ERRORS: [NEITHER_MESSAGE]})
        queued = await self._queued_for(number)
        found = await self._helpdesk.find_caller_tickets(number, MAX_CALLER_TICKETS, deadline)
        filed = (t for t in found if t.state is not TicketState.CLOSED)
        newest_first = sorted((*queued, *filed), key=lambda t: t.created_at, reverse=True)
        tickets = tuple(newest_first[:MAX_CALLER_TICKETS])
        return TicketStatusResult(tickets, say_tickets(tickets, self._clock.now()))

    async def _queued_for(self, number: str) -> list[TicketStatus]:
        """The caller's hand-offs still waiting in the outbox (the helpdesk has no ticket for them
        yet, so it cannot list them): a bounded scan of the queued items."""
        waiting = await self._outbox.items(OutboxState.QUEUED, QUEUED_SCAN_LIMIT)
        return [self._queued(item) for item in waiting if _caller_of(item) == number]

    async def _by_id(self, ticket_id: str, deadline: Deadline | None) -> TicketStatusResult:
        reference = normalised_reference(ticket_id)
        if reference.startswith(REFERENCE_PREFIX):
            return await self._by_reference(reference, deadline)
        return await self._ticket(ticket_id, deadline)

    async def _by_reference(self, reference: str, deadline: Deadline | None) -> TicketStatusResult:
        item = await self._outbox.get(reference)
        if item is None:
            return TicketStatusResult((), say_not_found(reference))
        if item.state is OutboxState.DELIVERED and item.ticket_id is not None:
            return await self._ticket(item.ticket_id, deadline, reference)
        queued = self._queued(item)
        if item.state is OutboxState.DEAD:
            return TicketStatusResult((queued,), say_kept_for_the_team(reference))
        return TicketStatusResult((queued,), say_ticket(queued, self._clock.now()))

    async def _ticket(
        self, ticket_id: str, deadline: Deadline | None, reference: str | None = None
    ) -> TicketStatusResult:
        try:
            ticket = await self._helpdesk.get_ticket(ticket_id, deadline)
        except TicketNotFound:  # an id the helpdesk cannot have (e.g. not a number for RT)
            ticket = None
        if ticket is None:
            return TicketStatusResult((), say_not_found(ticket_id))
        return TicketStatusResult((ticket,), say_ticket(ticket, self._clock.now(), reference))

    def _queued(self, item: QueuedHandoff) -> TicketStatus:
        """A hand-off still in the outbox as a ticket of state ``queued``: its reference, its
        status page, and the subject its ticket will have."""
        try:
            problem = decode_queued(item.problem).problem
            subject = ticket_subject(problem.category, problem.summary)
        except ValueError:
            subject = QUEUED_SUBJECT
        return TicketStatus(
            id=item.reference,
            url=handoff_url(self._base_url, item.reference),
            state=TicketState.QUEUED,
            subject=subject,
            created_at=item.queued_at,
            updated_at=item.queued_at,
        )


def _caller_of(item: QueuedHandoff) -> str | None:
    try:
        return decode_queued(item.problem).problem.caller_number
    except ValueError:  # unreadable: it cannot be matched to a caller
        return None
