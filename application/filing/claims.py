"""The dedup index's side of filing: claim a problem's keys (waiting for another filing's result
when they are held), point them at what answers for the problem, or give them up.

Giving up is where doubt matters: a filing whose create may have reached the helpdesk marks its
claim uncertain instead of dropping it, so the next filing takes it over knowing that a create
with the problem's key may have landed - and sends the very same request. A claim whose holder
died is remembered past its lease for a dedup window, as uncertain too: the holder may have
filed the ticket without indexing it.

What a certain WON claim proves: when the index has been complete for a whole dedup window, no
ticket of the problem can exist that it does not hold, so the filing need not ask the helpdesk
(``Claims.vouches_for``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from application.ports import Claim, ClaimState, Clock, TicketIndex
from application.timing.backoff import POLL_PAUSES
from application.timing.deadline import Deadline
from domain.dedup import DedupPolicy
from domain.ticket import TicketRef


class Claims:
    """Claims on dedup keys in ``index``, timed by ``clock``, fresh as ``policy`` says."""

    def __init__(
        self,
        index: TicketIndex,
        clock: Clock,
        policy: DedupPolicy,
        lease_seconds: float,
        wait_seconds: float,
    ) -> None:
        self._index = index
        self._clock = clock
        self._policy = policy
        self._lease = lease_seconds
        self._wait = wait_seconds
        self._remember = policy.window_seconds

    async def claim(
        self,
        keys: Sequence[str],
        owner: str,
        limit: Deadline | None,
        replacing: str | None = None,
        reserve: float = 0.0,
    ) -> Claim | None:
        """A WON claim, or FOUND with a fresh ticket (or queued marker) that answers; None when
        another filing held the keys for ``wait_seconds`` or until ``limit`` (less ``reserve``,
        kept back for queueing). To a delivery (``replacing`` its own marker) another
        reference's marker is a held claim."""
        wait: Deadline | None = None  # made only when it must wait: most claims answer
        pauses = POLL_PAUSES.delays()
        while True:
            claim = await self._index.claim(
                keys, owner, self._lease, replacing, remember_seconds=self._remember
            )
            found = claim.ticket
            if claim.state is ClaimState.WON or (
                found is not None
                and self._policy.is_fresh(found.created_at, self._clock.now())
                and not (replacing is not None and found.queued)
            ):
                return claim
            if wait is None:
                left = self._wait if limit is None else limit.remaining() - reserve
                wait = Deadline(self._clock, max(min(self._wait, left), 0.0))
            if wait.expired():
                return None
            await asyncio.sleep(next(pauses))

    async def vouches_for(self, claim: Claim) -> bool:
        """True when ``claim``, a certain WON, means the helpdesk has no ticket for its keys:
        the index has held everything filed through it for a whole dedup window (a ticket of
        the problem from before would be stale). A young index - a first start, a Redis lost
        or flushed, a memory index that evicted - or a Redis that may evict vouches for
        nothing; neither does a claim taken over from a holder that may have filed."""
        if claim.state is not ClaimState.WON or claim.uncertain:
            return False
        since = await self._index.complete_since()
        return since is not None and self._clock.now() - since >= self._policy.window_seconds

    def is_fresh(self, ticket: TicketRef) -> bool:
        """True while ``ticket`` still answers for its problem."""
        return self._policy.is_fresh(ticket.created_at, self._clock.now())

    async def point_at(self, keys: Sequence[str], owner: str, ticket: TicketRef) -> None:
        """Index ``ticket`` (or a queued marker) under ``keys`` for the rest of its window."""
        ttl = max(self._policy.remaining(ticket.created_at, self._clock.now()), 1.0)
        await self._index.fulfil(keys, owner, ticket, ttl)

    async def give_up(self, keys: Sequence[str], owner: str, *, doubt: bool) -> None:
        """Filing failed: release the claim - or, when a create may have landed, mark it
        uncertain for the next filing to take over."""
        if doubt:
            await self._index.mark_uncertain(
                keys, owner, self._lease, remember_seconds=self._remember
            )
        else:
            await self._index.release(keys, owner)

    async def put_back(self, keys: Sequence[str], owner: str, marker: TicketRef | None) -> None:
        """A delivery failed: the keys point at its queued marker again while it is fresh."""
        if marker is None or not self.is_fresh(marker):
            await self._index.release(keys, owner)
        else:
            await self.point_at(keys, owner, marker)
