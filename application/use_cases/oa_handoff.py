"""The ElevenLabs hand-off: a 4-line note (or its parts) in, the caller's ticket out."""

from __future__ import annotations

from application.filing.ticket_filing import FiledTicket, Problem, TicketFiling
from application.inputs.checks import FieldErrors, identity
from application.inputs.fields import HandoffNote, NoteSummary, ProblemFields
from application.inputs.lenient import choice_errors
from application.inputs.precedence import resolve_labels
from application.timing.deadline import Deadline
from domain.errors import InvalidInput
from domain.note import UNSTATED_CONFIDENCE, Note, parse_summary
from domain.taxonomy import Source


class OaHandoffCommand(ProblemFields, frozen=True):
    """The webhook payload (and the ``ingest.oa_handoff`` tool's arguments): a note or a summary."""

    ONE_OF = ("note", "summary")

    note: HandoffNote | None = None
    summary: NoteSummary | None = None


class OaHandoff:
    """Take one hand-off.

    Rules:
    - ``note`` is the 4-line note; its limits are ``Note``'s. Explicit ``category`` /
      ``escalationReason`` / ``confidence`` win; missing ones are read from the note (an unknown
      label in the note is inferred from the summary).
    - Or ``summary`` (the render-note rules: one line, at most 250 characters) and the bridge
      renders the note: a missing category / reason is inferred from the summary's words (else
      ``Unknown`` / ``Other``), a missing confidence is written ``0.0`` (nobody vouched for it).
    - Exactly one of ``note`` and ``summary``: neither -> ``note`` is required; both -> both named.
    - ``callerNumber`` is normalised to E.164 (a national number read in ``phone_region`` when
      set) and echoed so; empty optional fields mean absent.
    - Dedup, filing and queueing are ``TicketFiling``'s: one ticket per problem, or a queued
      reference when the helpdesk cannot take it inside the deadline.
    """

    def __init__(
        self,
        filing: TicketFiling,
        default_source: str = Source.WEBHOOK,
        phone_region: str | None = None,
    ) -> None:
        self._filing = filing
        self._default_source = default_source
        self._phone_region = phone_region

    async def execute(
        self, command: OaHandoffCommand, deadline: Deadline | None = None
    ) -> FiledTicket:
        """Find, file or queue the ticket inside ``deadline`` (built by the transport from the
        request's arrival; None: the helpdesk's own limits)."""
        return await self._filing.file(self.resolve(command), deadline)

    def resolve(self, command: OaHandoffCommand) -> Problem:
        """Validate every field, report all problems at once, and resolve the note."""
        errors = FieldErrors()
        checked = identity(errors, command, self._phone_region)
        summary = None
        if command.summary is not None:
            summary = errors.attempt(lambda: parse_summary(command.summary or ""))
        if (command.note is None) is (command.summary is None):  # neither, or both
            given = [name for name in OaHandoffCommand.ONE_OF if getattr(command, name) is not None]
            for field, messages in choice_errors(OaHandoffCommand.ONE_OF, given).items():
                for message in messages:
                    errors.add(field, message)
        note: Note | None = None
        if command.note is not None:
            try:
                note = Note.parse(command.note)
            except InvalidInput as bad_note:
                raise errors.joined(bad_note) from None
        errors.raise_if_any()
        labels = resolve_labels(
            command.category,
            command.escalation_reason,
            checked.confidence,
            note=note,
            text=summary or "",
            infer_confidence=_unstated,
        )
        if note is None:  # the note the bridge writes from the (checked) summary
            note = Note.create(labels.category, labels.reason, summary or "", labels.confidence)
        return Problem(
            category=labels.category,
            reason=labels.reason,
            summary=note.summary,
            body=command.note.strip() if command.note is not None else note.render(),
            confidence=labels.confidence,
            caller_number=checked.caller_number,
            oa_key=checked.oa_key,
            source=checked.source or self._default_source,
        )


def _unstated(_summary: str) -> str:
    """A summary is not searched for a confidence: the note written from it says nobody vouched."""
    return UNSTATED_CONFIDENCE
