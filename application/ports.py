"""The ports: what the application needs from the outside world, as ``typing.Protocol``s.

Every adapter behind a port raises only the errors of ``application.errors`` (and
``domain.errors``): never its library's own exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

import msgspec

from domain.ticket import NewTicket, TicketRef


class HelpdeskGateway(Protocol):
    """The system of record for tickets (mock, Zendesk, Request Tracker)."""

    async def create_ticket(self, ticket: NewTicket) -> TicketRef:
        """Open a ticket; raise ``HelpdeskUnavailable`` / ``HelpdeskBadResponse`` on failure."""
        ...

    async def append_note(self, ticket_id: str, text: str, author: str | None) -> None:
        """Add an internal note; raise ``TicketNotFound`` for an unknown id."""
        ...

    async def find_open_ticket(self, dedup_keys: Sequence[str]) -> TicketRef | None:
        """An open ticket filed under any of ``dedup_keys`` (strongest first), or None."""
        ...

    async def check_health(self) -> bool:
        """True when an authenticated call to the helpdesk succeeds right now."""
        ...


class ClaimState(StrEnum):
    """What an attempt to claim a set of dedup keys found."""

    WON = "won"  # no ticket and no other claim: the caller must file the ticket
    FOUND = "found"  # a ticket is indexed under one of the keys
    BUSY = "busy"  # another hand-off holds a claim on one of the keys and is filing it now


class Claim(msgspec.Struct, frozen=True):
    """The outcome of ``TicketIndex.claim``; ``ticket`` is set when ``state`` is FOUND."""

    state: ClaimState
    ticket: TicketRef | None = None


class TicketIndex(Protocol):
    """Dedup keys -> ticket, with expiry: a cache in front of the helpdesk, never the record.

    ``claim`` is atomic across every process sharing the index, so of many concurrent hand-offs
    for one problem exactly one wins and files the ticket while the rest wait for it.
    """

    async def claim(self, keys: Sequence[str], owner: str, lease_seconds: float) -> Claim:
        """FOUND if any key maps to a ticket (strongest key first) - and then the keys that hold
        nothing map to it too, expiring with it, so a caller who rings back in a new
        conversation is indexed under the new key in the same step; else BUSY if another owner
        holds any key; else claim all keys for ``owner`` for ``lease_seconds`` and say WON.
        A claim whose owner died expires with its lease."""
        ...

    async def fulfil(
        self, keys: Sequence[str], owner: str, ticket: TicketRef, ttl_seconds: float
    ) -> None:
        """Index ``ticket`` under every key for ``ttl_seconds``, replacing the claims that
        ``owner`` (the hand-off that filed it) holds there."""
        ...

    async def release(self, keys: Sequence[str], owner: str) -> None:
        """Drop ``owner``'s claims (filing failed), so the next hand-off may try again."""
        ...


class StoredResponse(msgspec.Struct, frozen=True):
    """A finished answer kept for replay: status code and the exact body bytes."""

    status: int
    body: bytes


class IdempotencyState(StrEnum):
    """What ``IdempotencyStore.begin`` found for a key."""

    STARTED = "started"  # first use: the caller now holds the in-flight marker and must finish
    REPLAY = "replay"  # finished before with the same fingerprint: ``response`` is set
    CONFLICT = "conflict"  # used before with a different fingerprint
    IN_FLIGHT = "in_flight"  # same fingerprint, still running elsewhere


class IdempotencyRecord(msgspec.Struct, frozen=True):
    """The outcome of ``IdempotencyStore.begin``."""

    state: IdempotencyState
    response: StoredResponse | None = None


class IdempotencyStore(Protocol):
    """Idempotency-Key -> payload fingerprint + stored response, with an in-flight state."""

    async def begin(self, key: str, fingerprint: str, lease_seconds: float) -> IdempotencyRecord:
        """Atomically look the key up and, when it is unused, mark it in flight."""
        ...

    async def complete(
        self, key: str, fingerprint: str, response: StoredResponse, ttl_seconds: float
    ) -> None:
        """Store the finished response for replay during ``ttl_seconds``."""
        ...

    async def abandon(self, key: str, fingerprint: str) -> None:
        """Drop the in-flight marker without a response (the request failed and may be retried)."""
        ...


class ReplayGuard(Protocol):
    """Signatures already seen inside the HMAC window."""

    async def first_use(self, signature: str, ttl_seconds: float) -> bool:
        """Atomically record ``signature``; True the first time, False for a replay."""
        ...


class RateDecision(msgspec.Struct, frozen=True):
    """One request's verdict and the numbers behind the RateLimit-* headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class RateLimiter(Protocol):
    """A per-client request budget, shared by every process that shares the limiter's store."""

    async def hit(self, client: str) -> RateDecision:
        """Count one request for ``client`` and say whether it is within the budget."""
        ...


class HealthProbe(Protocol):
    """Anything whose health ``/readyz`` reports (the shared stores)."""

    async def check_health(self) -> bool:
        """True when the dependency answers right now."""
        ...


class Clock(Protocol):
    """Time, passed in so rules and expiry can be tested without sleeping."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for measuring waits (not a date)."""
        ...
