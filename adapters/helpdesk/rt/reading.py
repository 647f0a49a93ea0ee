"""Reading Request Tracker tickets for a caller ringing back: one ticket's state, subject and
times, and a caller's tickets (TicketSQL on the caller custom field, ``RT_CALLER_FIELD``).

Only the ticket record is read (``Status``, ``Subject``, ``Created``, ``LastUpdated``) - never
its history or attachments: a comment's text cannot reach an answer. ``LastUpdated`` is RT's
own, which a comment moves too (the time, never the text).

States: ``new``/``open`` -> open, ``stalled`` -> pending (waiting on someone), ``resolved`` ->
solved, ``rejected``/``deleted`` -> closed; a status of a custom lifecycle reads as open.
"""

from __future__ import annotations

from functools import partial

import httpx

from adapters.helpdesk.http_gateway import answer, found
from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.wire import Answer, numeric_ticket_id, parse_timestamp
from application.errors import TicketNotFound
from application.timing.deadline import Deadline
from domain.ticket import TicketState, TicketStatus

RT_STATES = {
    "new": TicketState.OPEN,
    "open": TicketState.OPEN,
    "stalled": TicketState.PENDING,
    "resolved": TicketState.SOLVED,
    "rejected": TicketState.CLOSED,
    "deleted": TicketState.CLOSED,
}
STATUS_FIELDS = "Subject,Status,Created,LastUpdated"
MAX_PAGE = 100


def ticketsql_string(value: str) -> str:
    """A TicketSQL string literal: RT unescapes backslash sequences inside single quotes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ticket_status(got: Answer, ticket: object, web_url: str) -> TicketStatus:
    """An RT ticket record as the port's ``TicketStatus``; one without a number or a creation
    time is an answer we cannot use."""
    if not isinstance(ticket, dict) or not str(ticket.get("id", "")).isdigit():
        raise got.bad("the ticket has no numeric id")
    number = str(ticket["id"])
    created = parse_timestamp(ticket.get("Created"))
    if created is None:
        raise got.bad("the ticket has no creation time")
    updated = parse_timestamp(ticket.get("LastUpdated"))
    subject = ticket.get("Subject")
    return TicketStatus(
        id=number,
        url=f"{web_url}/Ticket/Display.html?id={number}",
        state=RT_STATES.get(str(ticket.get("Status")), TicketState.OPEN),
        subject=subject if isinstance(subject, str) else "",
        created_at=created,
        updated_at=updated if updated is not None else created,
    )


class RtReading:
    """``get_ticket`` and ``find_caller_tickets`` of the RT gateway (read-only calls: retried
    under the resilience rules, never ``uncertain``)."""

    def __init__(
        self, client: httpx.AsyncClient, resilience: Resilience, web_url: str, caller_field: str
    ) -> None:
        self._client = client
        self._resilience = resilience
        self._web_url = web_url
        self._caller_field = caller_field

    async def get_ticket(self, ticket_id: str, deadline: Deadline | None) -> TicketStatus | None:
        """``GET /ticket/{id}``; None for a 404 or an id that cannot be RT's."""
        try:
            number = numeric_ticket_id(ticket_id)
        except TicketNotFound:
            return None
        send = partial(self._client.get, f"/ticket/{number}")
        got = await found(self._resilience, "get_ticket", send, deadline)
        if got is None:
            return None
        return ticket_status(got, got.body, self._web_url)

    async def find_caller_tickets(
        self, caller_number: str, limit: int, deadline: Deadline | None
    ) -> list[TicketStatus]:
        """One TicketSQL query on the caller field, in any queue, rejected (closed) tickets left
        out by the query, newest first."""
        if limit <= 0:
            return []
        field = f"CF.{{{self._caller_field}}}"
        query = (
            f"{field} = {ticketsql_string(caller_number)}"
            " AND Status != 'rejected' AND Status != 'deleted'"
        )
        params = {
            "query": query,
            "fields": STATUS_FIELDS,
            "orderby": "id",  # RT numbers tickets in creation order: exact where Created ties
            "order": "DESC",
            "per_page": str(min(limit, MAX_PAGE)),
        }
        got = await answer(
            self._resilience,
            "find_caller_tickets",
            partial(self._client.get, "/tickets", params=params),
            deadline,
            replay_safe=True,
            read_only=True,
        )
        items = got.field("items", list, "no ticket list in the answer")
        found = [ticket_status(got, item, self._web_url) for item in items]
        found = [t for t in found if t.state is not TicketState.CLOSED]
        found.sort(key=lambda t: (t.created_at, int(t.id)), reverse=True)
        return found[:limit]
