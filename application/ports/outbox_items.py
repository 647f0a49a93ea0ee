"""What the outbox keeps: a queued hand-off, its states, and the outbox's counts.

Values, not a port: ``application.ports.Outbox`` stores them; the delivery use case and the
status answers read them."""

from __future__ import annotations

from enum import StrEnum

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
