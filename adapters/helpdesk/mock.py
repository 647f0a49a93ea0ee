"""An in-process helpdesk for development, demos and tests: ids TKT-1000, TKT-1001, ..."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence

from adapters.helpdesk.known_health import HealthRecord, Verdict
from adapters.helpdesk.wire import checked_attachments
from application.errors import HelpdeskBadResponse, HelpdeskUnavailable, TicketNotFound
from application.ports import Clock
from application.timing.deadline import Deadline
from domain.ticket import Attachment, NewTicket, TicketRef, TicketState, TicketStatus

FIRST_TICKET_NUMBER = 1000
DEFAULT_BASE_URL = "https://helpdesk.example.com"


class MockTicketRecord:
    """What the mock keeps of a ticket, so tests can look at what a helpdesk would show."""

    __slots__ = ("attachments", "new", "notes", "ref", "state", "updated_at")

    def __init__(self, ref: TicketRef, new: NewTicket) -> None:
        self.ref = ref
        self.new = new
        self.notes: list[tuple[str, str | None]] = []
        self.attachments: list[Attachment] = []
        self.state = TicketState.OPEN
        self.updated_at = ref.created_at

    @property
    def open(self) -> bool:
        """Still dedups: neither solved nor closed."""
        return self.state in (TicketState.OPEN, TicketState.PENDING)

    def status(self) -> TicketStatus:
        return TicketStatus(
            self.ref.id,
            self.ref.url,
            self.state,
            self.new.subject,
            self.ref.created_at,
            self.updated_at,
        )


class MockHelpdesk:
    """Behaves like a real helpdesk at the port: numbered tickets, internal notes, lookup by
    dedup key, a create retried with the same ``request_key`` answered with the first ticket
    (as Zendesk's Idempotency-Key), and a switch (``healthy``) that makes it fail like an
    unreachable one.

    ``latency_seconds`` delays each call (for concurrency tests and benchmarks). A call given a
    ``deadline`` starts only with time left (``Deadline.attempt_timeout``) and waits at most
    until the deadline: a create or note cut short still lands, and is reported as doubt
    (``uncertain=True``), as a real helpdesk's lost answer would be. Memory is bounded: the
    oldest tickets (and their request keys) are forgotten past ``max_tickets``.
    """

    def __init__(
        self,
        clock: Clock,
        base_url: str = DEFAULT_BASE_URL,
        *,
        healthy: bool = True,
        latency_seconds: float = 0.0,
        max_tickets: int = 100_000,
    ) -> None:
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self.healthy = healthy
        self._latency = latency_seconds
        self._max = max_tickets
        self._next = FIRST_TICKET_NUMBER
        self.tickets: OrderedDict[str, MockTicketRecord] = OrderedDict()
        self._by_key: dict[str, str] = {}
        self._by_request: dict[str, str] = {}
        self._health = HealthRecord()

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        late = await self._travel(deadline)
        ref = self._open(ticket)
        if late:
            raise _too_late("create_ticket", uncertain=True)
        return ref

    async def append_note(
        self,
        ticket_id: str,
        text: str,
        author: str | None,
        deadline: Deadline | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        files = checked_attachments(attachments)
        late = await self._travel(deadline)
        record = self.tickets.get(ticket_id)
        if record is None:
            raise TicketNotFound(f"Ticket {ticket_id} not found")
        record.notes.append((text, author))
        record.attachments.extend(files)
        if late:
            raise _too_late("append_note", uncertain=True)

    async def get_ticket(
        self, ticket_id: str, deadline: Deadline | None = None
    ) -> TicketStatus | None:
        if await self._travel(deadline):
            raise _too_late("get_ticket", uncertain=False)
        record = self.tickets.get(ticket_id)
        return record.status() if record is not None else None

    async def find_caller_tickets(
        self, caller_number: str, limit: int, deadline: Deadline | None = None
    ) -> list[TicketStatus]:
        if await self._travel(deadline):
            raise _too_late("find_caller_tickets", uncertain=False)
        found = [
            record.status()
            for record in reversed(self.tickets.values())
            if record.new.caller_number == caller_number and record.state != TicketState.CLOSED
        ]
        return found[:limit]

    async def find_open_ticket(
        self, dedup_keys: Sequence[str], deadline: Deadline | None = None
    ) -> TicketRef | None:
        if await self._travel(deadline):
            raise _too_late("find_open_ticket", uncertain=False)
        return self._find(dedup_keys)

    async def check_health(self) -> bool:
        self._health.record(healthy=self.healthy)
        return self.healthy

    def known_health(self) -> Verdict | None:
        """What the last call or probe found, as the real backends keep it for ``/readyz``."""
        return self._health.latest()

    def close_ticket(self, ticket_id: str, state: TicketState = TicketState.SOLVED) -> None:
        """Mark a ticket solved (or another state), as an agent would; a solved or closed
        ticket no longer dedups."""
        record = self.tickets[ticket_id]
        record.state = state
        record.updated_at = self._clock.now()

    def _open(self, ticket: NewTicket) -> TicketRef:
        """A new ticket - or, for a ``request_key`` seen before, the first one (same body), or
        what Zendesk's refusal of a reused key resolves to (another body: the open ticket
        under the dedup key, else an answer the bridge cannot use)."""
        first = self.tickets.get(self._by_request.get(ticket.request_key or "", ""))
        if first is not None:
            if first.new == ticket:
                return first.ref
            found = self._find([ticket.dedup_key] if ticket.dedup_key else [])
            if found is None:
                raise HelpdeskBadResponse(
                    "The helpdesk refused a request key reused for another ticket",
                    {"operation": "create_ticket", "status": 400},
                )
            return found
        number = self._next
        self._next += 1
        url = f"{self._base_url}/tickets/{number}"
        ref = TicketRef(id=f"TKT-{number}", url=url, created_at=self._clock.now())
        self.tickets[ref.id] = MockTicketRecord(ref, ticket)
        if ticket.dedup_key:
            self._by_key[ticket.dedup_key] = ref.id
        if ticket.request_key:
            self._by_request[ticket.request_key] = ref.id
        if len(self.tickets) > self._max:
            _, dropped = self.tickets.popitem(last=False)
            for index, key in (
                (self._by_key, dropped.new.dedup_key),
                (self._by_request, dropped.new.request_key),
            ):
                if key and index.get(key) == dropped.ref.id:
                    del index[key]
        return ref

    def _find(self, dedup_keys: Sequence[str]) -> TicketRef | None:
        for key in dedup_keys:
            ticket_id = self._by_key.get(key)
            record = self.tickets.get(ticket_id) if ticket_id else None
            if record is not None and record.open:
                return record.ref
        return None

    async def _travel(self, deadline: Deadline | None) -> bool:
        """The way to the helpdesk: refused when down or with no time left; True when the
        deadline cut the latency short (the call lands, its answer is lost)."""
        if deadline is not None and deadline.attempt_timeout(self._latency) is None:
            raise HelpdeskUnavailable(
                "No time left to call the helpdesk before the deadline", {"reason": "deadline"}
            )
        self._health.record(healthy=self.healthy)
        if not self.healthy:
            raise HelpdeskUnavailable("The helpdesk is unavailable")
        wait = self._latency if deadline is None else min(self._latency, deadline.remaining())
        if wait:
            await asyncio.sleep(wait)
        return wait < self._latency


def _too_late(operation: str, *, uncertain: bool) -> HelpdeskUnavailable:
    return HelpdeskUnavailable(
        "The helpdesk did not answer in time",
        {"operation": operation, "reason": "attempt_timeout"},
        uncertain=uncertain,
    )
