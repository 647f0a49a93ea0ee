"""Find the caller's open ticket for a problem, or file one: never two for the same problem."""

from __future__ import annotations

import asyncio

import msgspec

from application.errors import DedupInProgress
from application.ids import random_uuid_hex
from application.inputs import FREE_TEXT_LIMITS, Classified, FieldErrors, ProblemFields, identity
from application.ports import ClaimState, Clock, HelpdeskGateway, TicketIndex
from application.waiting import Patience
from domain.dedup import DedupPolicy
from domain.phone import CallerNumber
from domain.taxonomy import Category, EscalationReason, Source
from domain.ticket import NewTicket, TicketRef, ticket_subject


class FindOrCreateTicketCommand(ProblemFields, frozen=True, kw_only=True):
    """A problem described in free text (or as a 4-line note), with optional explicit fields."""

    description: str


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


class FindOrCreateTicketResult(msgspec.Struct, frozen=True):
    """``created`` is False when an open ticket for the same problem was found."""

    created: bool
    ticket: TicketRef
    category: Category
    escalation_reason: EscalationReason
    confidence: str | None


class FindOrCreateTicket:
    """Find or file the ticket for one problem.

    Rules:
    - The same problem is what ``DedupPolicy`` says: the ``oaKey``, else caller + category,
      within 4 hours of the ticket's creation.
    - Of concurrent hand-offs for one problem exactly one files the ticket: the keys are claimed
      atomically in the index; the others wait for the winner's ticket (up to ``wait_seconds``).
    - The index is a cache: on a miss the helpdesk is asked for an open ticket under the keys
      before a new one is filed, so dedup survives a restart or a lost cache.
    - If filing fails the claim is released, so a retry can file it; nothing is indexed.
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

    async def execute(self, command: FindOrCreateTicketCommand) -> FindOrCreateTicketResult:
        """Validate the description and fields, then find or file."""
        problem = self.resolve(command)
        created, ticket = await self.file(problem)
        return FindOrCreateTicketResult(
            created, ticket, problem.category, problem.reason, problem.confidence
        )

    @staticmethod
    def resolve(command: FindOrCreateTicketCommand, default_source: str = Source.MCP) -> Problem:
        """Turn a command into a ``Problem``; one ``InvalidInput`` names every bad field."""
        errors = FieldErrors()
        errors.text("description", command.description, *FREE_TEXT_LIMITS)
        checked = identity(errors, command)
        classified = Classified(
            command.description,
            command.category,
            command.escalation_reason,
            checked.confidence,
            errors,
            "description",
        )
        errors.raise_if_any()
        return Problem(
            category=classified.category,
            reason=classified.reason,
            summary=classified.summary,
            body=command.description.strip(),
            confidence=classified.confidence,
            caller_number=checked.caller_number,
            oa_key=checked.oa_key,
            source=checked.source or default_source,
        )

    async def file(self, problem: Problem) -> tuple[bool, TicketRef]:
        """Return ``(created, ticket)`` for a resolved problem."""
        keys = self._policy.keys_for(problem.oa_key, problem.caller_number, problem.category)
        if not keys:  # nothing identifies the problem: nothing to dedup against
            new = self._new_ticket(problem, None, random_uuid_hex())
            return True, await self._helpdesk.create_ticket(new)
        owner = random_uuid_hex()
        patience = Patience(self._wait)
        while True:
            claim = await self._index.claim(keys, owner, self._lease)
            found = claim.ticket if claim.state is ClaimState.FOUND else None
            if found is not None and self._policy.is_fresh(found.created_at, self._clock.now()):
                return False, found
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
    ) -> tuple[bool, TicketRef]:
        try:
            existing = await self._helpdesk.find_open_ticket(keys)
            now = self._clock.now()
            if existing is not None and self._policy.is_fresh(existing.created_at, now):
                created, ticket = False, existing
            else:
                created = True
                new = self._new_ticket(problem, keys[0], owner)
                ticket = await self._helpdesk.create_ticket(new)
        except BaseException:
            await asyncio.shield(self._index.release(keys, owner))
            raise
        ttl = max(self._policy.remaining(ticket.created_at, self._clock.now()), 1.0)
        await self._index.fulfil(keys, owner, ticket, ttl)
        return created, ticket

    @staticmethod
    def _new_ticket(problem: Problem, dedup_key: str | None, request_key: str) -> NewTicket:
        """``request_key`` is unique per filing attempt: a gateway retrying the same create (after
        a timeout) sends it again, so a helpdesk with idempotent creates opens one ticket."""
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
