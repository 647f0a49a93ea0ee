"""The ElevenLabs hand-off: a 4-line note in, the caller's ticket out (found or filed)."""

from __future__ import annotations

from application.deadline import Deadline
from application.fields import HandoffNote, ProblemFields
from application.inputs import FieldErrors, identity
from application.ticket_filing import FiledTicket, Problem, TicketFiling
from domain.errors import InvalidInput
from domain.note import Note
from domain.taxonomy import Source


class OaHandoffCommand(ProblemFields, frozen=True):
    """The webhook payload (and the ``ingest.oa_handoff`` tool's arguments)."""

    note: HandoffNote


class OaHandoff:
    """Take one hand-off.

    Rules:
    - ``note`` is the 4-line note; its limits are ``Note``'s.
    - Explicit ``category`` / ``escalationReason`` / ``confidence`` win; missing ones are read
      from the note (an unknown label in the note is inferred from the summary).
    - ``callerNumber`` is normalised to E.164 and echoed so; empty ``oaKey`` / ``source`` mean
      absent.
    - Dedup, filing and queueing are ``TicketFiling``'s: one ticket per problem, or a queued
      reference when the helpdesk cannot take it inside the deadline.
    """

    def __init__(self, filing: TicketFiling, default_source: str = Source.WEBHOOK) -> None:
        self._filing = filing
        self._default_source = default_source

    async def execute(
        self, command: OaHandoffCommand, deadline: Deadline | None = None
    ) -> FiledTicket:
        """Find, file or queue the ticket inside ``deadline`` (built by the transport from the
        request's arrival; None: the helpdesk's own limits)."""
        return await self._filing.file(self.resolve(command), deadline)

    def resolve(self, command: OaHandoffCommand) -> Problem:
        """Validate every field, report all problems at once, and resolve the note."""
        errors = FieldErrors()
        checked = identity(errors, command)
        try:
            note = Note.parse(command.note)
        except InvalidInput as bad_note:
            raise errors.joined(bad_note) from None
        errors.raise_if_any()
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
