"""File a new ticket directly, bypassing dedup (the assistant asked for a new one on purpose)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import msgspec

from application.inputs import (
    FREE_TEXT_LIMITS,
    MAX_SOURCE_CHARS,
    Classified,
    FieldErrors,
    caller_number,
    optional_key,
)
from application.ports import HelpdeskGateway
from domain.taxonomy import Category, EscalationReason, Source
from domain.ticket import NewTicket, TicketRef, ticket_subject

MAX_METADATA_ENTRIES = 20
MAX_METADATA_VALUE_CHARS = 200


class CreateTicketCommand(msgspec.Struct, frozen=True):
    """A ticket described in free text; category and reason are inferred when absent."""

    description: str
    category: Category | None = None
    escalation_reason: EscalationReason | None = None
    caller_number: str | None = None
    source: str | None = None
    metadata: Mapping[str, str] | None = None


class CreateTicketResult(msgspec.Struct, frozen=True):
    ticket: TicketRef
    category: Category
    escalation_reason: EscalationReason


class CreateTicket:
    """Open a ticket now.

    Rules:
    - ``description`` is 10-1000 characters; a 4-line note is read as one.
    - No dedup: this is the explicit "new ticket" action. Use ``FindOrCreateTicket`` otherwise.
    - ``metadata`` (at most 20 short string pairs) is appended to the ticket body, so what the
      assistant knew reaches the human who picks the ticket up.
    """

    def __init__(self, helpdesk: HelpdeskGateway) -> None:
        self._helpdesk = helpdesk

    async def execute(self, command: CreateTicketCommand) -> CreateTicketResult:
        errors = FieldErrors()
        errors.text("description", command.description, *FREE_TEXT_LIMITS)
        caller = caller_number(errors, command.caller_number)
        source = optional_key(errors, "source", command.source, MAX_SOURCE_CHARS)
        metadata = dict(command.metadata or {})
        if len(metadata) > MAX_METADATA_ENTRIES:
            errors.add("metadata", f"metadata may hold at most {MAX_METADATA_ENTRIES} entries")
        if any(len(str(v)) > MAX_METADATA_VALUE_CHARS for v in metadata.values()):
            errors.add("metadata", f"metadata values are at most {MAX_METADATA_VALUE_CHARS} chars")
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
        if metadata:
            body += "\n\n" + "\n".join(f"{k}: {v}" for k, v in sorted(metadata.items()))
        ticket = await self._helpdesk.create_ticket(
            NewTicket(
                subject=ticket_subject(classified.category, classified.summary),
                body=body,
                category=classified.category,
                reason=classified.reason,
                confidence=classified.confidence,
                caller_number=caller,
                source=source or Source.MCP,
                request_key=uuid.uuid4().hex,
            )
        )
        return CreateTicketResult(ticket, classified.category, classified.reason)
