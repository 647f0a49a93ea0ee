"""Find the caller's open ticket for a problem described in free text, or file one."""

from __future__ import annotations

from application.filing.ticket_filing import FiledTicket, Problem, TicketFiling
from application.inputs.checks import Classified, FieldErrors, identity
from application.inputs.fields import Description, ProblemFields
from application.timing.deadline import Deadline
from domain.taxonomy import Source


class FindOrCreateTicketCommand(ProblemFields, frozen=True):
    """A problem described in free text (or as a 4-line note), with optional explicit fields."""

    description: Description


class FindOrCreateTicket:
    """Find or file the ticket for a described problem.

    Rules:
    - A note-shaped ``description`` is read as a 4-line note; other text is classified by its
      keywords. Explicit ``category`` / ``escalationReason`` / ``confidence`` win.
    - ``callerNumber`` is normalised to E.164 (a national number read in ``phone_region`` when
      set); empty optional fields mean absent.
    - Dedup and filing are ``TicketFiling``'s: one ticket per problem.
    """

    def __init__(
        self,
        filing: TicketFiling,
        default_source: str = Source.MCP,
        phone_region: str | None = None,
    ) -> None:
        self._filing = filing
        self._default_source = default_source
        self._phone_region = phone_region

    async def execute(
        self, command: FindOrCreateTicketCommand, deadline: Deadline | None = None
    ) -> FiledTicket:
        """Find, file or queue the ticket inside ``deadline`` (built by the transport from the
        request's arrival; None: the helpdesk's own limits)."""
        return await self._filing.file(self.resolve(command), deadline)

    def resolve(self, command: FindOrCreateTicketCommand) -> Problem:
        """Turn a command into a ``Problem``; one ``InvalidInput`` names every bad field."""
        errors = FieldErrors()
        checked = identity(errors, command, self._phone_region)
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
            source=checked.source or self._default_source,
        )
