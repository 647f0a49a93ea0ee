"""Filing a resolved problem: find the open ticket for it, or open one - never two for one problem,
and never lose it: what the helpdesk cannot take in time is queued (``HELPDESK_DOWN_POLICY``).

Shared by the hand-off (``OaHandoff``) and find-or-create (``FindOrCreateTicket``): each turns its
input into a ``Problem`` and calls ``TicketFiling.file``; ``DeliverHandoff`` files a queued one
with ``TicketFiling.deliver``. All answer a ``FiledTicket``, which each transport maps once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from enum import StrEnum

import msgspec

from application.errors import DedupInProgress, HelpdeskUnavailable, StoreUnavailable
from application.filing.claims import Claims
from application.filing.handoff_queue import HandoffQueue, QueuedProblem, decode_queued
from application.filing.helpdesk_budget import refuse_if_out_of_time
from application.filing.problem import FiledTicket, Problem, new_ticket
from application.ids import derived_key, handoff_reference, random_uuid_hex
from application.ports import (
    ClaimState,
    Clock,
    HelpdeskBudget,
    HelpdeskGateway,
    Outbox,
    QueuedHandoff,
    TicketIndex,
)
from application.timing.deadline import Deadline
from domain.dedup import DedupPolicy
from domain.ticket import NewTicket, TicketRef

__all__ = ["DownPolicy", "FiledTicket", "Problem", "TicketFiling", "new_ticket"]

# Kept back from the helpdesk's share of the deadline, so a hand-off it could not take is
# still queued (one outbox write) before the deadline.
QUEUE_RESERVE_SECONDS = 0.5


class DownPolicy(StrEnum):
    """What a hand-off the helpdesk cannot take in time becomes (``HELPDESK_DOWN_POLICY``)."""

    QUEUE = "queue"  # kept in the outbox and answered queued
    FAIL = "fail"  # the spec's 503 HELPDESK_UNAVAILABLE


class TicketFiling:
    """Find or file the ticket for one problem.

    Rules:
    - The same problem is what ``DedupPolicy`` says: the ``oaKey``, else caller + category,
      within the policy's window of the ticket's creation (or of its queueing).
    - Of concurrent filings for one problem exactly one files the ticket: the keys are claimed
      atomically in the index; the others wait for the winner's ticket (up to ``wait_seconds``
      and never past the deadline, then ``DedupInProgress`` - or queued, see below).
    - The index is a cache: the winner asks the helpdesk for an open ticket under the keys
      before filing - unless the index vouches that there is none (complete for a whole dedup
      window, the claim certain) - and files with a key derived from the problem, so a lost
      index or a retried create never makes a second ticket.
    - A failure that may have filed the ticket (``uncertain``) never releases the claim: it is
      marked uncertain and the next filing takes it over. A certain failure releases it.
    - With ``DownPolicy.QUEUE`` and an outbox: when the helpdesk cannot take the hand-off inside
      the deadline (it failed, or ``budget`` says it may not be called for longer than is left:
      then it is not called), the hand-off is kept in the outbox and answered queued; its keys
      point at the queued marker, so the same problem gets the same reference. Without an
      outbox there is nowhere to queue: ``HelpdeskUnavailable``, as with ``FAIL``.
    - A problem with no key (no oaKey, no caller number) has nothing to dedup against: filed.
    """

    def __init__(
        self,
        helpdesk: HelpdeskGateway,
        index: TicketIndex,
        clock: Clock,
        policy: DedupPolicy,
        claim_lease_seconds: float = 30.0,
        wait_seconds: float = 15.0,
        *,
        outbox: Outbox | None = None,
        budget: HelpdeskBudget | None = None,
        down_policy: DownPolicy = DownPolicy.QUEUE,
        public_base_url: str = "",
        queue_reserve_seconds: float = QUEUE_RESERVE_SECONDS,
    ) -> None:
        self._helpdesk = helpdesk
        self._clock = clock
        self._policy = policy
        self._claims = Claims(index, clock, policy, claim_lease_seconds, wait_seconds)
        self._budget = budget
        self._reserve = queue_reserve_seconds
        self._queue = (
            HandoffQueue(outbox, clock, public_base_url)
            if outbox is not None and down_policy is DownPolicy.QUEUE
            else None
        )

    @property
    def helpdesk(self) -> HelpdeskGateway:
        """The helpdesk it files into (a delivery appends the notes kept for a queued one)."""
        return self._helpdesk

    async def file(self, problem: Problem, deadline: Deadline | None = None) -> FiledTicket:
        """The ticket for ``problem``, found, filed, or queued, answered inside ``deadline``."""
        keys = self._policy.keys_for(problem.oa_key, problem.caller_number, problem.category)
        if not keys:
            return await self._file_keyless(problem, self._helpdesk_share(deadline))
        owner = random_uuid_hex()
        # The helpdesk's share of the deadline is worked out only when it is needed (a wait, or
        # the winner's calls): most hand-offs are answered by the index's first claim.
        claim = await self._claims.claim(keys, owner, deadline, reserve=self._queue_reserve())
        if claim is None:
            if self._queue is None:
                raise DedupInProgress(
                    "Another hand-off for the same problem is still being filed; retry shortly"
                )
            # The claim's holder is still at it (its create, with the same key and no reference,
            # may land: ``sent``); keep this one without touching the holder's keys - the
            # outbox answers the holder's item if it queued first, and the index its ticket.
            queued = QueuedProblem(
                problem=problem, request_key=derived_key("create", keys[0]), sent=True
            )
            marker, created = await self._queue.put(queued, keys)
            return FiledTicket(created=created, ticket=marker, problem=problem, queued=True)
        if claim.state is ClaimState.FOUND and claim.ticket is not None:
            return FiledTicket(
                created=False, ticket=claim.ticket, problem=problem, queued=claim.ticket.queued
            )
        limit = self._helpdesk_share(deadline)
        look_up = not await self._claims.vouches_for(claim)
        return await self._file_as_winner(
            problem, keys, owner, limit, doubt=claim.uncertain, look_up=look_up
        )

    async def deliver(self, item: QueuedHandoff, deadline: Deadline | None = None) -> FiledTicket:
        """File the queued hand-off ``item`` now: the ticket already filed for its problem, else
        a new one (sent as the queued request, carrying the reference). Raises what the
        helpdesk raised (the item stays queued; its marker is put back) or ``DedupInProgress``
        while another filing of the same problem holds the keys; ``msgspec.DecodeError`` for an
        item this version cannot read."""
        queued = decode_queued(item.problem)
        keys = item.dedup_keys
        request = new_ticket(
            queued.problem,
            keys[0] if keys else None,
            queued.request_key,
            None if queued.sent else item.reference,
        )
        if not keys:
            ticket = await self._helpdesk.create_ticket(request, deadline)
            return FiledTicket(created=True, ticket=ticket, problem=queued.problem)
        owner = random_uuid_hex()
        claim = await self._claims.claim(keys, owner, self._once(), replacing=item.reference)
        if claim is None:  # no waiting here: the worker postpones it and goes on
            raise DedupInProgress("Another filing of the same problem holds its keys")
        if claim.state is ClaimState.FOUND and claim.ticket is not None:
            await self._claims.point_at(keys, owner, claim.ticket)  # over the marker, too
            return FiledTicket(created=False, ticket=claim.ticket, problem=queued.problem)
        try:
            created, ticket = await self._find_or_create(keys, request, deadline, _Attempt())
        except BaseException:
            marker = self._queue.marker(item.reference, item.queued_at) if self._queue else None
            await asyncio.shield(self._claims.put_back(keys, owner, marker))
            raise
        await self._claims.point_at(keys, owner, ticket)
        return FiledTicket(created=created, ticket=ticket, problem=queued.problem)

    async def forget(self, item: QueuedHandoff) -> None:
        """``item`` will not be delivered (dead, dropped): its marker stops answering for the
        problem, so the next hand-off of it is filed afresh. A ticket under the keys stays."""
        if not item.dedup_keys:
            return
        owner = random_uuid_hex()
        claim = await self._claims.claim(
            item.dedup_keys, owner, self._once(), replacing=item.reference
        )
        if claim is not None and claim.state is ClaimState.WON:
            await self._claims.give_up(item.dedup_keys, owner, doubt=False)

    async def _file_as_winner(
        self,
        problem: Problem,
        keys: tuple[str, ...],
        owner: str,
        limit: Deadline | None,
        *,
        doubt: bool,
        look_up: bool = True,
    ) -> FiledTicket:
        request_key = derived_key("create", keys[0])
        request = new_ticket(problem, keys[0], request_key)
        attempt = _Attempt(sent=doubt)  # a create with this key may have landed before
        try:
            await refuse_if_out_of_time(self._budget, limit)
            created, ticket = await self._find_or_create(
                keys, request, limit, attempt, look_up=look_up
            )
        except HelpdeskUnavailable as error:
            doubt = doubt or (attempt.sent and error.uncertain)
            if self._queue is None:
                await asyncio.shield(self._claims.give_up(keys, owner, doubt=doubt))
                raise
            queued = QueuedProblem(problem=problem, request_key=request_key, sent=doubt)
            return await self._queue_claimed(queued, keys, owner)
        except BaseException:
            await asyncio.shield(self._claims.give_up(keys, owner, doubt=attempt.sent))
            raise
        await self._claims.point_at(keys, owner, ticket)
        return FiledTicket(created=created, ticket=ticket, problem=problem)

    async def _file_keyless(self, problem: Problem, limit: Deadline | None) -> FiledTicket:
        """Nothing to dedup on: the request key comes from the reference the hand-off would be
        queued under, so a delivery after an uncertain create maps to the same ticket."""
        reference = handoff_reference()
        request_key = derived_key("create", reference)
        sent = False
        try:
            await refuse_if_out_of_time(self._budget, limit)
            sent = True
            request = new_ticket(problem, None, request_key)
            ticket = await self._helpdesk.create_ticket(request, limit)
        except HelpdeskUnavailable as error:
            if self._queue is None:
                raise
            queued = QueuedProblem(
                problem=problem, request_key=request_key, sent=sent and error.uncertain
            )
            marker, created = await self._queue.put(queued, (), reference)
            return FiledTicket(created=created, ticket=marker, problem=problem, queued=True)
        return FiledTicket(created=True, ticket=ticket, problem=problem)

    async def _queue_claimed(
        self, queued: QueuedProblem, keys: Sequence[str], owner: str
    ) -> FiledTicket:
        """Queue a problem whose keys this filing holds; the marker replaces the claim."""
        assert self._queue is not None
        try:
            marker, created = await self._queue.put(queued, keys)
        except BaseException:
            await asyncio.shield(self._claims.give_up(keys, owner, doubt=queued.sent))
            raise
        with contextlib.suppress(StoreUnavailable):  # kept all the same: the outbox answers a
            await self._claims.point_at(keys, owner, marker)  # repeat; the claim expires
        return FiledTicket(created=created, ticket=marker, problem=queued.problem, queued=True)

    async def _find_or_create(
        self,
        keys: Sequence[str],
        request: NewTicket,
        limit: Deadline | None,
        attempt: _Attempt,
        *,
        look_up: bool = True,
    ) -> tuple[bool, TicketRef]:
        """The open ticket the helpdesk has for ``keys`` (the record, whatever the index says),
        else a new one; True when created. ``look_up=False``: the index vouched that there is
        none (``Claims.vouches_for``), so the helpdesk is not asked."""
        if look_up:
            existing = await self._helpdesk.find_open_ticket(keys, limit)
            if existing is not None and self._claims.is_fresh(existing):
                return False, existing
        attempt.sent = True
        ticket = await self._helpdesk.create_ticket(request, limit)
        if not self._claims.is_fresh(ticket) and request.request_key:
            # The helpdesk remembered the key longer than the dedup window and answered the
            # ticket of an earlier period of this problem: file this one under a key chained
            # from that ticket - the same for every instance that gets the same answer.
            chained = derived_key("create", f"{request.request_key}:{ticket.id}")
            request = msgspec.structs.replace(request, request_key=chained)
            ticket = await self._helpdesk.create_ticket(request, limit)
        return True, ticket

    def _once(self) -> Deadline:
        """A limit that lets a claim look once, without waiting for another holder."""
        return Deadline(self._clock, 0.0)

    def _queue_reserve(self) -> float:
        """What queueing needs of the deadline when the hand-off may be queued (else nothing)."""
        return 0.0 if self._queue is None else self._reserve

    def _helpdesk_share(self, deadline: Deadline | None) -> Deadline | None:
        """The part of ``deadline`` the helpdesk (and waiting) may use: all of it, less what
        queueing needs when the hand-off may be queued."""
        if deadline is None or self._queue is None:
            return deadline
        return Deadline(self._clock, -self._reserve, started=deadline.ends)


class _Attempt:
    """Whether a create has been sent in this attempt (then a failure may have filed it)."""

    __slots__ = ("sent",)

    def __init__(self, *, sent: bool = False) -> None:
        self.sent = sent
