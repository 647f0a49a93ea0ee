"""The outbox's port and what it keeps: a queued hand-off, its states, its pending notes and the
outbox's counts.

The values are not ports: ``Outbox`` stores them; the delivery use case and the status answers
read them. Imported through ``application.ports``, which re-exports every port.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

import msgspec


class OutboxState(StrEnum):
    """Where a queued hand-off is."""

    QUEUED = "queued"  # kept, waiting for (another) delivery attempt
    DELIVERED = "delivered"  # filed: ``ticket_id`` / ``ticket_url`` are set
    DEAD = "dead"  # older than OUTBOX_MAX_AGE_SECONDS undelivered: kept and reported


class QueuedHandoff(msgspec.Struct, frozen=True, kw_only=True):
    """A hand-off the helpdesk could not take in time, kept until it does.

    ``problem`` is the resolved problem as the application encoded it (opaque to the outbox);
    ``dedup_keys`` are its keys (strongest first; empty when nothing identifies it)."""

    reference: str
    problem: bytes
    dedup_keys: tuple[str, ...]
    queued_at: float
    state: OutboxState = OutboxState.QUEUED
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: float = 0.0
    delivered_at: float | None = None
    ticket_id: str | None = None
    ticket_url: str | None = None


class PendingNote(msgspec.Struct, frozen=True):
    """A note for the ticket a QUEUED hand-off becomes (a call's summary that arrived while the
    hand-off waited), appended by the delivery once the ticket is filed.

    ``key`` names it: a note with a key the item already holds is kept once (a retried event);
    ``body`` is what the application encoded, opaque to the outbox."""

    key: str
    body: bytes


class OutboxStats(msgspec.Struct, frozen=True, kw_only=True):
    """What /metrics and /readyz report about the outbox."""

    queued: int
    delivered: int
    dead: int
    oldest_queued_age_seconds: float | None


class DuplicateReference(Exception):
    """``Outbox.put`` was given a reference another item already has (draw a new one)."""


class Outbox(Protocol):
    """Durable storage of queued hand-offs (SQLite for one process, Redis for a fleet).

    Every method raises ``StoreUnavailable`` when the store cannot be read or written: a
    hand-off is filed, queued durably, or refused loudly - never acknowledged unkept."""

    async def put(self, item: QueuedHandoff) -> QueuedHandoff:
        """Keep ``item`` (committed before this returns) - unless a QUEUED item holds any of its
        dedup keys: then keep nothing and return that item (the same problem, queued already).
        Returns the item that stands for the problem. ``DuplicateReference`` if the reference
        is taken."""
        ...

    async def get(self, reference: str) -> QueuedHandoff | None:
        """The item with ``reference``, in any state."""
        ...

    async def lease(
        self, worker: str, now: float, lease_seconds: float, limit: int
    ) -> list[QueuedHandoff]:
        """Up to ``limit`` QUEUED items due (``next_attempt_at <= now``) and not leased to a live
        worker, oldest first, now leased to ``worker`` until ``now + lease_seconds``. A worker
        that dies leaves its leases to expire, so another (or itself, restarted) takes them."""
        ...

    async def delivered(self, reference: str, ticket_id: str, ticket_url: str, now: float) -> None:
        """Mark the item DELIVERED with its ticket; its lease ends and its notes are dropped."""
        ...

    async def postpone(self, reference: str, error: str, next_attempt_at: float) -> None:
        """A delivery attempt failed: count it, keep ``error`` (a short reason, never the note
        or the phone number), end the lease, try again from ``next_attempt_at``."""
        ...

    async def attach_note(self, dedup_key: str, note: PendingNote) -> QueuedHandoff | None:
        """Keep ``note`` (committed) with the QUEUED item holding ``dedup_key``, once per note
        key, and return that item; if its ticket is filed already (``ticket_id`` set) nothing
        is kept and the caller appends the note itself. None when no QUEUED item holds it."""
        ...

    async def ticket_filed(
        self, reference: str, ticket_id: str, ticket_url: str
    ) -> list[PendingNote]:
        """Record the QUEUED item's filed ticket (it stays QUEUED until ``delivered``, which
        drops its notes; ``attach_note`` keeps no more) and return its notes, oldest first."""
        ...

    async def kill(self, reference: str, error: str, now: float) -> None:
        """Mark the item DEAD (too old to deliver): kept and reported, never dropped."""
        ...

    async def retry(self, reference: str, now: float) -> bool:
        """Make a QUEUED or DEAD item QUEUED and due now (the operator's ``outbox retry``).
        False when there is no such item or it was delivered."""
        ...

    async def drop(self, reference: str) -> bool:
        """Delete the item (the operator's ``outbox drop``). False when there was none."""
        ...

    async def items(self, state: OutboxState | None, limit: int) -> list[QueuedHandoff]:
        """Items in ``state`` (every state when None), oldest first."""
        ...

    async def stats(self, now: float) -> OutboxStats:
        """Counts by state and the age of the oldest QUEUED item."""
        ...

    async def check_health(self) -> bool:
        """True when the store can be written right now."""
        ...
