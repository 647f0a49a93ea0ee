"""File a new ticket directly, bypassing dedup (the assistant asked for a new one on purpose)."""

from __future__ import annotations

from application.filing.problem import FiledTicket, Problem, new_ticket
from application.ids import random_uuid_hex
from application.inputs.checks import Classified, FieldErrors, caller_number, present
from application.inputs.fields import (
    CallerNumberText,
    Command,
    Description,
    InferredCategory,
    InferredReason,
    Metadata,
    SourceLabel,
)
from application.ports import HelpdeskGateway
from domain.taxonomy import Source


class CreateTicketCommand(Command, frozen=True):
    """A ticket described in free text; category and reason are inferred when absent."""

    description: Description
    category: InferredCategory | None = None
    escalation_reason: InferredReason | None = None
    caller_number: CallerNumberText | None = None
    source: SourceLabel | None = None
    metadata: Metadata | None = None


class CreateTicket:
    """Open a ticket now.

    Rules:
    - A note-shaped ``description`` is read as a 4-line note; other text is classified.
    - No dedup: this is the explicit "new ticket" action. Use ``FindOrCreateTicket`` otherwise.
    - ``metadata`` (a few short string pairs) is appended to the ticket body, so what the
      assistant knew reaches the human who picks the ticket up.
    """

    def __init__(
        self,
        helpdesk: HelpdeskGateway,
        default_source: str = Source.MCP,
        phone_region: str | None = None,
    ) -> None:
        self._helpdesk = helpdesk
        self._default_source = default_source
        self._phone_region = phone_region

    async def execute(self, command: CreateTicketCommand) -> FiledTicket:
        problem = self.resolve(command)
        ticket = await self._helpdesk.create_ticket(new_ticket(problem, None, random_uuid_hex()))
        return FiledTicket(created=True, ticket=ticket, problem=problem)

    def resolve(self, command: CreateTicketCommand) -> Problem:
        errors = FieldErrors()
        caller = caller_number(errors, command.caller_number, self._phone_region)
        classified = Classified(
            command.description,
            command.category,
            command.escalation_reason,
            None,
            errors,
            "description",
        )
        errors.raise_if_any()
        body = command.description.strip()
        if command.metadata:
            body += "\n\n" + "\n".join(f"{k}: {v}" for k, v in sorted(command.metadata.items()))
        return Problem(
            category=classified.category,
            reason=classified.reason,
            summary=classified.summary,
            body=body,
            confidence=classified.confidence,
            caller_number=caller,
            oa_key=None,
            source=present(command.source) or self._default_source,
        )
