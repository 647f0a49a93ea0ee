"""An in-process helpdesk for development, demos and tests: ids TKT-1000, TKT-1001, ..."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence

from adapters.helpdesk.known_health import HealthRecord, Verdict
from application.deadline import Deadline
from application.errors import HelpdeskUnavailable, TicketNotFound
from application.ports import Clock
from domain.ticket import NewTicket, TicketRef

FIRST_TICKET_NUMBER = 1000
DEFAULT_BASE_URL = "https://helpdesk.example.com"


class MockTicketRecord:
    """What the mock keeps of a ticket, so tests can look at what a helpdesk would show."""

    __slots__ = ("new", "notes", "open", "ref")

    def __init__(self, ref: TicketRef, new: NewTicket) -> None:
        self.ref = ref
        self.new = new
        self.notes: list[tuple[str, str | None]] = []
        self.open = True


class MockHelpdesk:
    """Behaves like a real helpdesk at the port: numbered tickets, internal notes, lookup by
    dedup key, and a switch (``healthy``) that makes it fail like an unreachable one.

    ``latency_seconds`` delays each call (for concurrency tests and benchmarks). Memory is
    bounded: the oldest tickets are forgotten past ``max_tickets``.
    """

    def __init__(
        self,
        clock: Clock,
        base_url: str = DEFAULT_BASE_URL,
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
        self._health = HealthRecord()

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        await self._call()
        number = self._next
        self._next += 1
        ref = TicketRef(f"TKT-{number}", f"{self._base_url}/tickets/{number}", self._clock.now())
        self.tickets[ref.id] = MockTicketRecord(ref, ticket)
        if ticket.dedup_key:
            self._by_key[ticket.dedup_key] = ref.id
        if len(self.tickets) > self._max:
            _, dropped = self.tickets.popitem(last=False)
            if dropped.new.dedup_key:
                self._by_key.pop(dropped.new.dedup_key, None)
        return ref

    async def append_note(
        self, ticket_id: str, text: str, author: str | None, deadline: Deadline | None = None
    ) -> None:
        await self._call()
        record = self.tickets.get(ticket_id)
        if record is None:
            raise TicketNotFound(f"Ticket {ticket_id} not found")
        record.notes.append((text, author))

    async def find_open_ticket(
        self, dedup_keys: Sequence[str], deadline: Deadline | None = None
    ) -> TicketRef | None:
        await self._call()
        for key in dedup_keys:
            ticket_id = self._by_key.get(key)
            record = self.tickets.get(ticket_id) if ticket_id else None
            if record is not None and record.open:
                return record.ref
        return None

    async def check_health(self) -> bool:
        self._health.record(self.healthy)
        return self.healthy

    def known_health(self) -> Verdict | None:
        """What the last call or probe found, as the real backends keep it for ``/readyz``."""
        return self._health.latest()

    def close_ticket(self, ticket_id: str) -> None:
        """Mark a ticket solved, as an agent would; a closed ticket no longer dedups."""
        self.tickets[ticket_id].open = False

    async def _call(self) -> None:
        if self._latency:
            await asyncio.sleep(self._latency)
        self._health.record(self.healthy)
        if not self.healthy:
            raise HelpdeskUnavailable("The helpdesk is unavailable")
