"""The ports: what the application needs from the outside world, as ``typing.Protocol``s.

Every adapter behind a port raises only the errors of ``application.errors`` (and
``domain.errors``): never its library's own exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import msgspec

from application.ports.outbox_items import DuplicateReference as DuplicateReference
from application.ports.outbox_items import OutboxState as OutboxState
from application.ports.outbox_items import OutboxStats as OutboxStats
from application.ports.outbox_items import PendingNote as PendingNote
from application.ports.outbox_items import QueuedHandoff as QueuedHandoff
from domain.ticket import Attachment, NewTicket, TicketRef, TicketStatus

if TYPE_CHECKING:
    from application.timing.deadline import Deadline


class HelpdeskGateway(Protocol):
    """The system of record for tickets (mock, Zendesk, Request Tracker).

    ``deadline`` bounds the whole call, retries included: no attempt starts that cannot finish
    before it (see ``application.timing.deadline``); None leaves the gateway's own limits."""

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        """Open a ticket; raise ``HelpdeskUnavailable`` / ``HelpdeskBadResponse`` on failure."""
        ...

    async def append_note(
        self,
        ticket_id: str,
        text: str,
        author: str | None,
        deadline: Deadline | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        """Add an internal note (with ``attachments`` as files where the helpdesk takes uploads,
        else their text inlined, bounded); raise ``TicketNotFound`` for an unknown id."""
        ...

    async def get_ticket(
        self, ticket_id: str, deadline: Deadline | None = None
    ) -> TicketStatus | None:
        """One ticket's state, subject and times, whatever its state; None for an unknown id.
        Nothing of its comments or internal notes is read into the answer."""
        ...

    async def find_caller_tickets(
        self, caller_number: str, limit: int, deadline: Deadline | None = None
    ) -> list[TicketStatus]:
        """The tickets of the caller with this E.164 number that are not closed, newest first,
        at most ``limit`` (Zendesk: the end user's requested tickets; RT: the caller field)."""
        ...

    async def find_open_ticket(
        self, dedup_keys: Sequence[str], deadline: Deadline | None = None
    ) -> TicketRef | None:
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
    """The outcome of ``TicketIndex.claim``: ``ticket`` when FOUND (maybe a queued marker);
    ``uncertain`` when WON over a hand-off whose create may have landed."""

    state: ClaimState
    ticket: TicketRef | None = None
    uncertain: bool = False


class TicketIndex(Protocol):
    """Dedup keys -> ticket, with expiry: a cache in front of the helpdesk, never the record.
    ``claim`` is atomic across every process: of concurrent hand-offs for one problem one wins."""

    async def claim(
        self, keys: Sequence[str], owner: str, lease_seconds: float, replacing: str | None = None
    ) -> Claim:
        """FOUND if any key maps to a ticket or queued marker (strongest key first) - and then
        the keys that hold nothing map to it too, expiring with it (a caller ringing back in a
        new conversation is indexed under the new key in the same step); else BUSY if another
        owner holds a certain claim on any key; else claim all keys for ``owner`` and say WON,
        ``uncertain`` when an uncertain claim was taken over. A queued marker whose id is
        ``replacing`` counts as free (its delivery replaces it). Claims expire with the lease."""
        ...

    async def mark_uncertain(self, keys: Sequence[str], owner: str, lease_seconds: float) -> None:
        """``owner``'s create may have landed: its claims turn uncertain (taken over next)."""
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


class HelpdeskBudget(Protocol):
    """When the bridge may call the helpdesk, shared by every process that shares its store.

    The helpdesk's own Retry-After (429, 503) is remembered, so while it runs no hand-off calls
    the helpdesk (they are queued at once); an optional pace (calls per minute, e.g. a Zendesk
    plan's limit) spreads the bridge's own calls, deliveries included."""

    async def blocked_for(self) -> float:
        """Seconds until the helpdesk may be called again (0.0: now)."""
        ...

    async def back_off(self, seconds: float) -> None:
        """Remember a Retry-After of ``seconds`` from now (a later end wins over an earlier)."""
        ...

    async def take(self) -> float:
        """Take one call from the pace: 0.0 when granted now, else the seconds until one would
        be (nothing taken)."""
        ...


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
