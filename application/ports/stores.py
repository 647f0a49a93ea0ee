"""The stores' ports: the dedup index (with its claims), the idempotency store, the replay guard
and the rate limiter - state shared by every process of a fleet when Redis-backed.

Imported through ``application.ports``, which re-exports every port.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol

import msgspec

from domain.ticket import TicketRef


class ClaimState(StrEnum):
    """What an attempt to claim a set of dedup keys found."""

    WON = "won"  # no ticket and no other claim: the caller must file the ticket
    FOUND = "found"  # a ticket is indexed under one of the keys
    BUSY = "busy"  # another hand-off holds a claim on one of the keys and is filing it now


class Claim(msgspec.Struct, frozen=True):
    """The outcome of ``TicketIndex.claim``: ``ticket`` when FOUND (maybe a queued marker);
    ``uncertain`` when WON over a hand-off whose create may have landed."""

    state: ClaimState
    ticket: TicketRef | None = None
    uncertain: bool = False


class TicketIndex(Protocol):
    """Dedup keys -> ticket, with expiry: a cache in front of the helpdesk, never the record.
    ``claim`` is atomic across every process: of concurrent hand-offs for one problem one wins.

    A claim holds its keys for ``lease_seconds``; after that, for ``remember_seconds`` more, it
    is remembered as uncertain (its holder may have filed the ticket and died before indexing
    it), so the next claimer knows to ask the helpdesk first. ``complete_since`` says since when
    the index has held every ticket and claim made through it: with that a whole dedup window
    back, a certain WON means the helpdesk has no ticket for the keys either."""

    async def claim(
        self,
        keys: Sequence[str],
        owner: str,
        lease_seconds: float,
        replacing: str | None = None,
        *,
        remember_seconds: float = 0.0,
    ) -> Claim:
        """FOUND if any key maps to a ticket or queued marker (strongest key first) - and then
        the keys that hold nothing map to it too, expiring with it (a caller ringing back in a
        new conversation is indexed under the new key in the same step); else BUSY if another
        owner holds a certain claim on any key inside its lease; else claim all keys for
        ``owner`` and say WON, ``uncertain`` when an uncertain or lapsed claim was taken over. A
        queued marker whose id is ``replacing`` counts as free (its delivery replaces it)."""
        ...

    async def mark_uncertain(
        self,
        keys: Sequence[str],
        owner: str,
        lease_seconds: float,
        *,
        remember_seconds: float = 0.0,
    ) -> None:
        """``owner``'s create may have landed: its claims turn uncertain (taken over next), and
        are remembered so for ``lease_seconds`` + ``remember_seconds``."""
        ...

    async def fulfil(
        self, keys: Sequence[str], owner: str, ticket: TicketRef, ttl_seconds: float
    ) -> None:
        """Index ``ticket`` under every key for ``ttl_seconds``, replacing the claims that
        ``owner`` (the hand-off that filed it) holds there."""
        ...

    async def release(self, keys: Sequence[str], owner: str) -> None:
        """Drop ``owner``'s claims (filing failed, surely before any create): the next hand-off
        may try again, with nothing to doubt."""
        ...

    async def complete_since(self) -> float | None:
        """Since when (epoch seconds) the index has held every ticket and claim made through it:
        its start, or the last time it lost entries (evicted, flushed); None when it cannot say
        (entries may be evicted at any time). Cheap: read after a claim, it costs no round trip
        of its own."""
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


class RateDecision(msgspec.Struct, frozen=True, kw_only=True):
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
