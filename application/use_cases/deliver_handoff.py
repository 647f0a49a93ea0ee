"""Delivering a queued hand-off: file it through the same filing as a live one, or try later.

The delivery worker (an entrypoint task in every ``serve`` process) leases due items from the
outbox and hands each to ``DeliverHandoff.execute``; this module decides what becomes of it.
Delivery goes through ``TicketFiling.deliver``: the same dedup, the same derived helpdesk
idempotency key, so a hand-off delivered twice (a worker killed mid-delivery) is one ticket.
Notes kept with the item while it waited (a call's summary: ``application.use_cases.record_call``)
are appended to the ticket before the item is marked delivered, so a worker killed in between leaves
them to the next delivery.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from application.errors import HelpdeskUnavailable, StoreUnavailable
from application.filing.handoff_queue import decode_queued
from application.filing.helpdesk_budget import blocked_for
from application.filing.pending_note import append_to, read_pending
from application.filing.ticket_filing import TicketFiling
from application.ports import Clock, HelpdeskBudget, Outbox, QueuedHandoff
from application.timing.backoff import Backoff
from application.timing.deadline import Deadline
from domain.errors import DomainError
from domain.ticket import TicketRef

DEFAULT_MAX_AGE_SECONDS = 86_400.0
FIRST_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 600.0
DELIVERY_DEADLINE_SECONDS = 30.0


class DeliveryState(StrEnum):
    """What one delivery attempt did with an item."""

    DELIVERED = "delivered"  # filed (or the problem's ticket found): the item is DELIVERED
    POSTPONED = "postponed"  # the helpdesk could not take it: due again at ``next_attempt_at``
    DEAD = "dead"  # too old (or unreadable): the item is DEAD, kept and reported


class DeliveryOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The result of ``DeliverHandoff.execute``, for the worker's log line and metrics (never
    the note or the caller's number: ``error`` is a code)."""

    reference: str
    state: DeliveryState
    ticket: TicketRef | None = None
    created: bool = False  # a new ticket was filed (False: the problem's ticket was found)
    error: str | None = None
    next_attempt_at: float | None = None
    notes: int = 0  # notes kept with the item and appended to its ticket
    notes_dropped: int = 0  # notes the helpdesk refused (the ticket gone): not appended


class DeliverHandoff:
    """Deliver one leased item.

    Rules:
    - An item queued more than ``max_age_seconds`` ago (or unreadable) is killed (DEAD), not
      attempted: kept and reported, never dropped silently; its marker stops answering.
    - While the helpdesk budget forbids calls (a remembered Retry-After), nothing is called:
      postponed until the budget allows.
    - A failed attempt is postponed by a backoff doubling from ``first_backoff_seconds`` up to
      ``max_backoff_seconds``, and never sooner than the helpdesk's ``Retry-After``.
    - Each attempt has ``deadline_seconds`` for the whole filing (look-up, create, retries)
      and the appending of the item's notes.
    - The notes kept with the item are appended once its ticket is filed and recorded; the
      helpdesk down postpones the item (the ticket is found again next time, and the notes
      are appended then - all of them, so one appended before the failure is appended twice);
      a note the helpdesk refuses for good (the ticket gone) is dropped and counted.
    """

    def __init__(
        self,
        filing: TicketFiling,
        outbox: Outbox,
        clock: Clock,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        *,
        budget: HelpdeskBudget | None = None,
        first_backoff_seconds: float = FIRST_BACKOFF_SECONDS,
        max_backoff_seconds: float = MAX_BACKOFF_SECONDS,
        deadline_seconds: float = DELIVERY_DEADLINE_SECONDS,
    ) -> None:
        self._filing = filing
        self._outbox = outbox
        self._clock = clock
        self._max_age = max_age_seconds
        self._budget = budget
        self._backoff = Backoff(first=first_backoff_seconds, cap=max_backoff_seconds)
        self._deadline = deadline_seconds

    async def execute(self, item: QueuedHandoff) -> DeliveryOutcome:
        """Deliver, postpone or kill ``item``; ``StoreUnavailable`` when the outbox cannot
        record which (the item's lease then runs out and it is attempted again)."""
        now = self._clock.now()
        if now - item.queued_at > self._max_age:
            return await self._kill(item, "EXPIRED")
        try:
            decode_queued(item.problem)
        except msgspec.DecodeError:  # not written by a version that can deliver it
            return await self._kill(item, "UNREADABLE")
        blocked = await blocked_for(self._budget)
        if blocked > 0.0:
            return await self._postpone(item, "HELPDESK_BUDGET", now + blocked)
        deadline = Deadline(self._clock, self._deadline)
        try:
            filed = await self._filing.deliver(item, deadline)
        except StoreUnavailable:
            raise
        except DomainError as error:
            due = await self._next_attempt(item, error)
            return await self._postpone(item, _reason(error), due)
        ticket = filed.ticket
        notes = await self._outbox.ticket_filed(item.reference, ticket.id, ticket.url)
        dropped = 0
        for pending in notes:
            try:
                note = read_pending(pending)
                await append_to(self._filing.helpdesk, ticket.id, note, deadline)
            except HelpdeskUnavailable as error:
                due = await self._next_attempt(item, error)
                return await self._postpone(item, _reason(error), due)
            except (DomainError, msgspec.DecodeError):  # gone, refused, or unreadable
                dropped += 1
        await self._outbox.delivered(item.reference, ticket.id, ticket.url, self._clock.now())
        return DeliveryOutcome(
            reference=item.reference,
            state=DeliveryState.DELIVERED,
            ticket=ticket,
            created=filed.created,
            notes=len(notes) - dropped,
            notes_dropped=dropped,
        )

    async def _next_attempt(self, item: QueuedHandoff, error: DomainError) -> float:
        delay = self._backoff.delay(item.attempts)  # after the first failure: ``first``
        if isinstance(error, HelpdeskUnavailable) and error.retry_after is not None:
            delay = max(delay, error.retry_after)
        return self._clock.now() + max(delay, await blocked_for(self._budget))

    async def _postpone(
        self, item: QueuedHandoff, reason: str, next_attempt_at: float
    ) -> DeliveryOutcome:
        await self._outbox.postpone(item.reference, reason, next_attempt_at)
        return DeliveryOutcome(
            reference=item.reference,
            state=DeliveryState.POSTPONED,
            error=reason,
            next_attempt_at=next_attempt_at,
        )

    async def _kill(self, item: QueuedHandoff, reason: str) -> DeliveryOutcome:
        await self._outbox.kill(item.reference, reason, self._clock.now())
        await self._filing.forget(item)
        return DeliveryOutcome(reference=item.reference, state=DeliveryState.DEAD, error=reason)


def _reason(error: DomainError) -> str:
    """A short reason to keep with the item: the error's code, and whether the attempt may have
    reached the helpdesk - never its message, which may quote the helpdesk's answer."""
    if isinstance(error, HelpdeskUnavailable) and error.uncertain:
        return f"{error.code} (uncertain)"
    return error.code
