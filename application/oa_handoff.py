"""The ElevenLabs hand-off: a 4-line note in, the caller's ticket out (found or filed)."""

from __future__ import annotations

import msgspec

from application.find_or_create_ticket import FindOrCreateTicket, Problem
from application.inputs import FieldErrors, ProblemFields, identity
from domain.errors import InvalidInput
from domain.note import NOTE_MAX_CHARS, NOTE_MIN_CHARS, Note
from domain.phone import CallerNumber
from domain.taxonomy import Category, EscalationReason, Source


class OaHandoffCommand(ProblemFields, frozen=True, kw_only=True):
    """The webhook payload (and the ``ingest.oa_handoff`` tool's arguments)."""

    note: str


class OaHandoffResult(msgspec.Struct, frozen=True):
    """What the agent reads back to the caller: the ticket and the fields as resolved."""

    created: bool
    ticket_id: str
    ticket_url: str
    category: Category
    escalation_reason: EscalationReason
    confidence: str | None
    oa_key: str | None
    caller_number: CallerNumber | None


class OaHandoff:
    """Take one hand-off.

    Rules:
    - ``note`` is the 4-line note (10-350 characters, summary <= 250, confidence "0.0"-"1.0").
    - Explicit ``category`` / ``escalationReason`` / ``confidence`` win; missing ones are read
      from the note (an unknown label in the note is inferred from the summary).
    - ``callerNumber`` must be E.164 and is echoed normalised.
    - Dedup and filing are ``FindOrCreateTicket``'s: one ticket per problem.
    """

    def __init__(self, find_or_create: FindOrCreateTicket, default_source: str = Source.WEBHOOK):
        self._find_or_create = find_or_create
        self._default_source = default_source

    async def execute(self, command: OaHandoffCommand) -> OaHandoffResult:
        problem = self.resolve(command)
        created, ticket = await self._find_or_create.file(problem)
        return OaHandoffResult(
            created=created,
            ticket_id=ticket.id,
            ticket_url=ticket.url,
            category=problem.category,
            escalation_reason=problem.reason,
            confidence=problem.confidence,
            oa_key=problem.oa_key,
            caller_number=problem.caller_number,
        )

    def resolve(self, command: OaHandoffCommand) -> Problem:
        """Validate every field, report all problems at once, and resolve the note."""
        errors = FieldErrors()
        errors.text("note", command.note, NOTE_MIN_CHARS, NOTE_MAX_CHARS)
        note: Note | None = None
        if NOTE_MIN_CHARS <= len(command.note) <= NOTE_MAX_CHARS:
            note = errors.attempt(lambda: Note.parse(command.note))
        checked = identity(errors, command)
        errors.raise_if_any()
        if note is None:  # pragma: no cover - errors above always cover a missing note
            raise InvalidInput.single("note", "note is required")
        return Problem(
            category=command.category or note.category,
            reason=command.escalation_reason or note.reason,
            summary=note.summary,
            body=command.note.strip(),
            confidence=checked.confidence or note.confidence,
            caller_number=checked.caller_number,
            oa_key=checked.oa_key,
            source=checked.source or self._default_source,
        )
