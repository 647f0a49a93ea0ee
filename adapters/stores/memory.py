"""In-process stores: the embedded default for one process, and the fakes for use-case tests.

Nothing here awaits between reading and writing, so each operation is atomic on the event loop:
that is what makes the claim safe for concurrent hand-offs in one process.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from adapters.stores.expiring import ExpiringDict
from application.ports import (
    Claim,
    ClaimState,
    Clock,
    IdempotencyRecord,
    IdempotencyState,
    RateDecision,
    StoredResponse,
)
from domain.ticket import TicketRef

DEFAULT_MAX_ENTRIES = 2_000_000


class _Claimed:
    """A claim marker: the key is being filed by ``owner`` until ``lease_ends``; ``uncertain``
    when its create may have reached the helpdesk (the next claimer takes it over), as is a
    claim still remembered after its lease."""

    __slots__ = ("lease_ends", "owner", "uncertain")

    def __init__(self, owner: str, lease_ends: float, *, uncertain: bool = False) -> None:
        self.owner = owner
        self.lease_ends = lease_ends
        self.uncertain = uncertain


class MemoryTicketIndex:
    """Dedup keys -> ``TicketRef`` (a ticket or a queued marker) or a claim marker, in a bounded
    expiring dict. Complete since it was made, or since it last evicted a live entry."""

    def __init__(self, clock: Clock, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._clock = clock
        self._entries: ExpiringDict[TicketRef | _Claimed] = ExpiringDict(clock, max_entries)
        self._born = clock.now()

    def __len__(self) -> int:
        return len(self._entries)

    async def claim(
        self,
        keys: Sequence[str],
        owner: str,
        lease_seconds: float,
        replacing: str | None = None,
        *,
        remember_seconds: float = 0.0,
    ) -> Claim:
        busy = uncertain = False
        now = self._clock.now()
        for key in keys:
            entry = self._entries.get(key)
            if isinstance(entry, TicketRef):
                if entry.queued and entry.id == replacing:
                    continue
                self._entries.spread(key, keys)
                return Claim(ClaimState.FOUND, entry)
            if entry is None:
                continue
            if entry.uncertain or entry.lease_ends <= now:
                uncertain = True
            elif entry.owner != owner:
                busy = True
        if busy:
            return Claim(ClaimState.BUSY)
        claimed = _Claimed(owner, now + lease_seconds)
        self._entries.set_many(keys, claimed, lease_seconds + remember_seconds)
        return Claim(ClaimState.WON, uncertain=uncertain)

    async def mark_uncertain(
        self,
        keys: Sequence[str],
        owner: str,
        lease_seconds: float,
        *,
        remember_seconds: float = 0.0,
    ) -> None:
        mine = [key for key in keys if self._holds(key, owner)]
        doubt = _Claimed(owner, self._clock.now() + lease_seconds, uncertain=True)
        self._entries.set_many(mine, doubt, lease_seconds + remember_seconds)

    async def fulfil(
        self, keys: Sequence[str], owner: str, ticket: TicketRef, ttl_seconds: float
    ) -> None:
        self._entries.set_many(keys, ticket, ttl_seconds)

    async def release(self, keys: Sequence[str], owner: str) -> None:
        for key in keys:
            entry = self._entries.get(key)
            if isinstance(entry, _Claimed) and entry.owner == owner:
                self._entries.pop(key)

    async def complete_since(self) -> float:
        evicted = self._entries.evicted_at
        return self._born if evicted is None else max(self._born, evicted)

    async def check_health(self) -> bool:
        return True

    def _holds(self, key: str, owner: str) -> bool:
        """True when ``key`` holds nothing or ``owner``'s claim."""
        entry = self._entries.get(key)
        return entry is None or (isinstance(entry, _Claimed) and entry.owner == owner)


class _Idem:
    __slots__ = ("fingerprint", "response")

    def __init__(self, fingerprint: str, response: StoredResponse | None) -> None:
        self.fingerprint = fingerprint
        self.response = response


class MemoryIdempotencyStore:
    """Idempotency keys -> fingerprint and stored response (None while in flight)."""

    def __init__(self, clock: Clock, max_entries: int = 200_000) -> None:
        self._entries: ExpiringDict[_Idem] = ExpiringDict(clock, max_entries)

    async def begin(self, key: str, fingerprint: str, lease_seconds: float) -> IdempotencyRecord:
        entry = self._entries.get(key)
        if entry is None:
            self._entries.set(key, _Idem(fingerprint, None), lease_seconds)
            return IdempotencyRecord(IdempotencyState.STARTED)
        if entry.fingerprint != fingerprint:
            return IdempotencyRecord(IdempotencyState.CONFLICT)
        if entry.response is None:
            return IdempotencyRecord(IdempotencyState.IN_FLIGHT)
        return IdempotencyRecord(IdempotencyState.REPLAY, entry.response)

    async def complete(
        self, key: str, fingerprint: str, response: StoredResponse, ttl_seconds: float
    ) -> None:
        self._entries.set(key, _Idem(fingerprint, response), ttl_seconds)

    async def abandon(self, key: str, fingerprint: str) -> None:
        entry = self._entries.get(key)
        if entry is not None and entry.fingerprint == fingerprint and entry.response is None:
            self._entries.pop(key)

    async def check_health(self) -> bool:
        return True


class MemoryReplayGuard:
    """Signatures seen within the HMAC window."""

    def __init__(self, clock: Clock, max_entries: int = 500_000) -> None:
        self._seen: ExpiringDict[bool] = ExpiringDict(clock, max_entries)

    async def first_use(self, signature: str, ttl_seconds: float) -> bool:
        return self._seen.add(signature, True, ttl_seconds)

    async def check_health(self) -> bool:
        return True


class MemoryRateLimiter:
    """A fixed one-second window per client: ``limit`` requests per window."""

    def __init__(
        self, clock: Clock, limit: int, window_seconds: float = 1.0, max_clients: int = 100_000
    ) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window_seconds
        self._counts: ExpiringDict[list[int]] = ExpiringDict(clock, max_clients)

    async def hit(self, client: str) -> RateDecision:
        now = self._clock.now()
        window = int(now // self._window)
        key = f"{client}\x00{window}"
        counter = self._counts.get(key)
        if counter is None:
            counter = [0]
            self._counts.set(key, counter, self._window * 2)
        counter[0] += 1
        used = counter[0]
        reset = max(1, math.ceil((window + 1) * self._window - now))
        return RateDecision(
            allowed=used <= self._limit,
            limit=self._limit,
            remaining=max(0, self._limit - used),
            reset_seconds=reset,
        )

    async def check_health(self) -> bool:
        return True
