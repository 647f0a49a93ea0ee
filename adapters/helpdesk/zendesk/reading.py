"""Reading Zendesk tickets for a caller ringing back: one ticket's state, subject and times, and
a caller's tickets (those their end user requested, ``adapters.helpdesk.zendesk.users``).

Only the ticket object is read - never its comments (``/comments``, ``/audits``): an internal
note's text cannot reach an answer. ``updated_at`` is Zendesk's own, which an internal note
moves too (the time, never the text).

States: ``new``/``open`` -> open, ``pending``/``hold`` -> pending, ``solved`` -> solved,
``closed`` (and ``deleted``) -> closed; docs/helpdesks.md has the table for every backend.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx

from adapters.helpdesk.http_gateway import answer, found
from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.wire import Answer, numeric_ticket_id, parse_timestamp
from adapters.helpdesk.zendesk.users import ZendeskRequesters
from application.errors import TicketNotFound
from application.timing.deadline import Deadline
from domain.ticket import TicketState, TicketStatus

ZENDESK_STATES = {
    "new": TicketState.OPEN,
    "open": TicketState.OPEN,
    "pending": TicketState.PENDING,
    "hold": TicketState.PENDING,
    "solved": TicketState.SOLVED,
    "closed": TicketState.CLOSED,
    "deleted": TicketState.CLOSED,
}
REQUESTED_PAGE = 100
"""Zendesk's largest page: the newest 100 requested tickets are read, closed ones dropped."""


def ticket_status(got: Answer, ticket: object, base_url: str) -> TicketStatus:
    """A ticket object of Zendesk's as the port's ``TicketStatus``; a ticket without a number,
    a known status or its times is an answer we cannot use."""
    if not isinstance(ticket, dict):
        raise got.bad("no ticket in the answer")
    number = ticket.get("id")
    if not isinstance(number, int) or isinstance(number, bool):
        raise got.bad("the ticket has no numeric id")
    state = ZENDESK_STATES.get(str(ticket.get("status")))
    created = parse_timestamp(ticket.get("created_at"))
    updated = parse_timestamp(ticket.get("updated_at"))
    if state is None or created is None:
        raise got.bad("the ticket has no known status or no creation time")
    subject = ticket.get("subject")
    return TicketStatus(
        id=str(number),
        url=f"{base_url}/agent/tickets/{number}",
        state=state,
        subject=subject if isinstance(subject, str) else "",
        created_at=created,
        updated_at=updated if updated is not None else created,
    )


class ZendeskReading:
    """``get_ticket`` and ``find_caller_tickets`` of the Zendesk gateway (every call read-only,
    so retried under the resilience rules and never ``uncertain``)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        resilience: Resilience,
        requesters: ZendeskRequesters,
        base_url: str,
    ) -> None:
        self._client = client
        self._resilience = resilience
        self._requesters = requesters
        self._base_url = base_url

    async def get_ticket(self, ticket_id: str, deadline: Deadline | None) -> TicketStatus | None:
        """``GET /api/v2/tickets/{id}``; None for a 404 or an id that cannot be Zendesk's."""
        try:
            number = numeric_ticket_id(ticket_id)
        except TicketNotFound:
            return None
        send = partial(self._client.get, f"/api/v2/tickets/{number}")
        got = await found(self._resilience, "get_ticket", send, deadline)
        if got is None:
            return None
        return ticket_status(got, got.body.get("ticket"), self._base_url)

    async def find_caller_tickets(
        self, caller_number: str, limit: int, deadline: Deadline | None
    ) -> list[TicketStatus]:
        """The caller's end user's requested tickets, newest first, closed ones left out (no
        end user: no tickets, and none is made for asking)."""
        if limit <= 0:
            return []
        user_id = await self._requesters.find(caller_number, deadline)
        if user_id is None:
            return []
        params: dict[str, Any] = {
            "sort_by": "created_at",
            "sort_order": "desc",
            "per_page": REQUESTED_PAGE,
        }
        got = await answer(
            self._resilience,
            "find_caller_tickets",
            partial(self._client.get, f"/api/v2/users/{user_id}/tickets/requested", params=params),
            deadline,
            replay_safe=True,
            read_only=True,
        )
        tickets = got.field("tickets", list, "no ticket list in the answer")
        found = [ticket_status(got, t, self._base_url) for t in tickets]
        found = [t for t in found if t.state is not TicketState.CLOSED]
        found.sort(key=lambda t: (t.created_at, int(t.id)), reverse=True)  # ties: newest id
        return found[:limit]
