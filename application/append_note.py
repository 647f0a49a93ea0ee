"""Add a follow-up note to an existing ticket (internal: the customer is not mailed)."""

from __future__ import annotations

import msgspec

from application.inputs import FREE_TEXT_LIMITS, FieldErrors, optional_key, too_long
from application.ports import HelpdeskGateway

MAX_TICKET_ID_CHARS = 64
MAX_AUTHOR_CHARS = 64


class AppendNoteCommand(msgspec.Struct, frozen=True):
    ticket_id: str
    note: str
    author: str | None = None


class AppendNoteResult(msgspec.Struct, frozen=True):
    ticket_id: str


class AppendNote:
    """Append ``note`` to ``ticket_id``.

    Rules:
    - ``note`` is 10-1000 characters; ``ticketId`` is the id the bridge returned.
    - An unknown ticket is ``TicketNotFound``, never a silently created ticket.
    """

    def __init__(self, helpdesk: HelpdeskGateway) -> None:
        self._helpdesk = helpdesk

    async def execute(self, command: AppendNoteCommand) -> AppendNoteResult:
        errors = FieldErrors()
        ticket_id = command.ticket_id.strip()
        if not ticket_id:
            errors.add("ticketId", "ticketId is required")
        elif len(ticket_id) > MAX_TICKET_ID_CHARS:
            errors.add("ticketId", too_long(MAX_TICKET_ID_CHARS))
        errors.text("note", command.note, *FREE_TEXT_LIMITS)
        author = optional_key(errors, "author", command.author, MAX_AUTHOR_CHARS)
        errors.raise_if_any()
        await self._helpdesk.append_note(ticket_id, command.note.strip(), author)
        return AppendNoteResult(ticket_id)
