"""Filing a resolved problem: find the open ticket for it, or open one - never two for one problem.

Shared by the hand-off (``OaHandoff``) and find-or-create (``FindOrCreateTicket``): each turns its
input into a ``Problem`` and calls ``TicketFiling.file``; ``CreateTicket`` (no dedup) builds its
helpdesk request with the same ``new_ticket``. All three answer a ``FiledTicket``, which each
transport maps to its wire shape once.
"""

from __future__ import annotations

import asyncio

import msgspec

from application.errors import DedupInProgress
from application.ids import random_uuid_hex
from application.ports import ClaimState, Clock, HelpdeskGateway, TicketIndex
from application.waiting import Patience
from domain.dedup import DedupPolicy
from domain.phone import CallerNumber
from domain.taxonomy import Category, EscalationReason
from domain.ticket import NewTicket, TicketRef, ticket_subject


class Problem(msgspec.Struct, frozen=True):
    """A validated, fully resolved problem, ready to be filed."""

    category: Category
    reason: EscalationReason
    summary: str
    body: str
    confidence: str | None
    caller_number: CallerNumber | None
    oa_key: str | None
    source: str


class FiledTicket(msgspec.Struct, frozen=True):
    """The ticket that answers for ``problem``; ``created`` is False when the open ticket for the
    same problem was found. ``problem`` holds the fields as resolved (category and reason read
    from the note or inferred, the caller number normalised), which the caller echoes."""

    created: bool
    ticket: TicketRef
    problem: Problem


def new_ticket(problem: Problem, dedup_key: str | None, request_key: str) -> NewTicket:
    """The helpdesk request for ``problem``. ``request_key`` is unique per filing attempt: a
    gateway retrying the same create (after a timeout) sends it again, so a helpdesk with
    idempotent creates opens one ticket."""
    return NewTicket(
        subject=ticket_subject(problem.category, problem.summary),
        body=problem.body,
        category=problem.category,
        reason=problem.reason,
        confidence=problem.confidence,
        caller_number=problem.caller_number,
        source=problem.source,
        dedup_key=dedup_key,
        request_key=request_key,
    )


class TicketFiling:
    """Find or file the ticket for one problem.

    Rules:
    - The same problem is what ``DedupPolicy`` says: the ``oaKey``, else caller + category,
      within the policy's window of the ticket's creation.
    - Of concurrent filings for one problem exactly one files the ticket: the keys are claimed
      atomically in the index; the others wait for the winner's ticket (up to ``wait_seconds``,
      then ``DedupInProgress``).
    - The index is a cache: on a miss the helpdesk is asked for an open ticket under the keys
      before a new one is filed, so dedup survives a restart or a lost cache.
    - If filing fails the claim is released, so a retry can file it; nothing is indexed.
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
    ) -> None:
        self._helpdesk = helpdesk
        self._index = index
        self._clock = clock
        self._policy = policy
        self._lease = claim_lease_seconds
        self._wait = wait_seconds

    async def file(self, problem: Problem) -> FiledTicket:
        keys = self._policy.keys_for(problem.oa_key, problem.caller_number, problem.category)
        if not keys:
            ticket = await self._helpdesk.create_ticket(
                new_ticket(problem, None, random_uuid_hex())
            )
            return FiledTicket(True, ticket, problem)
        owner = random_uuid_hex()
        patience = Patience(self._clock, self._wait)
        while True:
            claim = await self._index.claim(keys, owner, self._lease)
            found = claim.ticket if claim.state is ClaimState.FOUND else None
            if found is not None and self._policy.is_fresh(found.created_at, self._clock.now()):
                return FiledTicket(False, found, problem)
            if claim.state is ClaimState.WON:
                break
            if patience.exhausted():
                raise DedupInProgress(
                    "Another hand-off for the same problem is still being filed; retry shortly"
                )
            await patience.pause()
        return await self._file_as_winner(problem, keys, owner)

    async def _file_as_winner(
        self, problem: Problem, keys: tuple[str, ...], owner: str
    ) -> FiledTicket:
        try:
            existing = await self._helpdesk.find_open_ticket(keys)
            now = self._clock.now()
            if existing is not None and self._policy.is_fresh(existing.created_at, now):
                created, ticket = False, existing
            else:
                created = True
                ticket = await self._helpdesk.create_ticket(new_ticket(problem, keys[0], owner))
        except BaseException:
            await asyncio.shield(self._index.release(keys, owner))
            raise
        ttl = max(self._policy.remaining(ticket.created_at, self._clock.now()), 1.0)
        await self._index.fulfil(keys, owner, ticket, ttl)
        return FiledTicket(created, ticket, problem)
