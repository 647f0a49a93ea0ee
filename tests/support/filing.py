"""A helpdesk whose slowness is counted on the manual clock, and the filing set-ups the issue-10
use-case tests share: no real sleeps, every deadline decided by the test."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from adapters.clock import ManualClock
from adapters.stores.memory import MemoryTicketIndex
from application.errors import HelpdeskUnavailable, StoreUnavailable
from application.filing.ticket_filing import DownPolicy, FiledTicket, TicketFiling
from application.ports import QueuedHandoff
from application.timing.deadline import Deadline
from application.use_cases.deliver_handoff import DeliverHandoff
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from domain.dedup import DedupPolicy
from domain.ticket import NewTicket, TicketRef
from tests.support.stores.memory_outbox import MemoryOutbox

BASE_URL = "https://bridge.example.com"
NOTE = (
    "Category: WiFi\nReason: CallerRequested\nSummary: Customer unable to connect to WiFi\n"
    "Confidence: 0.85"
)
COMMAND = OaHandoffCommand(note=NOTE, oa_key="conv-5", caller_number="+14155552671")


class SlowHelpdesk:
    """A helpdesk as a gateway with a deadline shows it: each call takes ``latency[operation]``
    seconds of the manual clock, cut short at the deadline - a create cut short still lands and
    is reported as doubt (``uncertain``), as a lost answer would be.

    ``down`` makes every call fail before sending; ``searchable`` False hides new tickets from
    look-ups (a search index that lags); ``hold`` keeps a sent create waiting for its answer.
    A create with a ``request_key`` seen before answers the first ticket, as Zendesk's
    Idempotency-Key does."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock
        self.latency: dict[str, float] = {}
        self.down: HelpdeskUnavailable | None = None
        self.searchable = True
        self.created: list[NewTicket] = []  # every create the helpdesk received
        self.tickets: dict[str, TicketRef] = {}
        self.calls: list[str] = []
        self.hold: asyncio.Event | None = None  # when set, a create waits for it after sending
        self._by_request: dict[str, TicketRef] = {}
        self._by_key: dict[str, TicketRef] = {}

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        late = await self._travel("create_ticket", deadline)
        self.created.append(ticket)
        if self.hold is not None:
            await self.hold.wait()
        ref = self._by_request.get(ticket.request_key or "")
        if ref is None:
            number = 1000 + len(self.tickets)
            url = f"https://help.example.com/t/{number}"
            ref = TicketRef(id=f"TKT-{number}", url=url, created_at=self._now())
            self.tickets[ref.id] = ref
            if ticket.request_key:
                self._by_request[ticket.request_key] = ref
            if ticket.dedup_key and self.searchable:
                self._by_key[ticket.dedup_key] = ref
        if late:
            raise HelpdeskUnavailable("The helpdesk did not answer in time", uncertain=True)
        return ref

    async def find_open_ticket(
        self, dedup_keys: Sequence[str], deadline: Deadline | None = None
    ) -> TicketRef | None:
        if await self._travel("find_open_ticket", deadline):
            raise HelpdeskUnavailable("The helpdesk did not answer in time")
        return next((self._by_key[k] for k in dedup_keys if k in self._by_key), None)

    async def append_note(
        self, ticket_id: str, text: str, author: str | None, deadline: Deadline | None = None
    ) -> None:
        await self._travel("append_note", deadline)

    async def check_health(self) -> bool:
        return self.down is None

    async def _travel(self, operation: str, deadline: Deadline | None) -> bool:
        """True when the deadline cut the call short."""
        self.calls.append(operation)
        if self.down is not None:
            raise self.down
        latency = self.latency.get(operation, 0.0)
        if deadline is not None and deadline.attempt_timeout(latency) is None:
            raise HelpdeskUnavailable("No time left to call the helpdesk")
        wait = latency if deadline is None else min(latency, deadline.remaining())
        self._clock.advance(wait)
        await asyncio.sleep(0)
        return wait < latency

    def _now(self) -> float:
        return self._clock.now()


class StandingBudget:
    """A helpdesk budget whose remembered Retry-After the test sets (``blocked``); ``readable``
    False makes it fail as a budget in an unreachable Redis does."""

    def __init__(self, blocked: float = 0.0) -> None:
        self.blocked = blocked
        self.readable = True

    async def blocked_for(self) -> float:
        if not self.readable:
            raise StoreUnavailable("budget store down")
        return self.blocked

    async def back_off(self, seconds: float) -> None:
        self.blocked = max(self.blocked, seconds)

    async def take(self) -> float:
        return 0.0


class Bridge:
    """One instance's filing over shared fakes: helpdesk, index, outbox, clock."""

    def __init__(
        self,
        clock: ManualClock,
        helpdesk: SlowHelpdesk,
        outbox: MemoryOutbox,
        index: MemoryTicketIndex | None = None,
        policy: DownPolicy = DownPolicy.QUEUE,
        budget: StandingBudget | None = None,
    ) -> None:
        self.index = index if index is not None else MemoryTicketIndex(clock)
        self.filing = TicketFiling(
            helpdesk,
            self.index,
            clock,
            DedupPolicy(),
            wait_seconds=15.0,
            outbox=outbox,
            budget=budget,
            down_policy=policy,
            public_base_url=BASE_URL,
        )


class Scene:
    """One bridge over a helpdesk that is down, its outbox and its delivery, as most queueing
    tests start."""

    def __init__(self, clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox) -> None:
        self.clock = clock
        self.slow = slow
        self.outbox = outbox
        self.bridge = Bridge(clock, slow, outbox)
        self.deliver = DeliverHandoff(self.bridge.filing, outbox, clock, max_age_seconds=3600.0)
        slow.down = HelpdeskUnavailable("The helpdesk is unavailable")

    async def hand_off(self, command: OaHandoffCommand = COMMAND) -> FiledTicket:
        """One hand-off with the usual 10 s deadline."""
        return await OaHandoff(self.bridge.filing).execute(command, Deadline(self.clock, 10.0))

    async def queued_item(self, command: OaHandoffCommand = COMMAND) -> QueuedHandoff:
        """Queue a hand-off (the helpdesk is down) and lease it, as the worker would."""
        result = await self.hand_off(command)
        assert result.queued
        leased = await self.outbox.lease("worker", self.clock.now(), 30.0, 10)
        return next(item for item in leased if item.reference == result.ticket.id)
