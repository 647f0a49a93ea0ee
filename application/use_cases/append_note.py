"""Add a follow-up note to an existing ticket (internal: the customer is not mailed)."""

from __future__ import annotations

import msgspec

from application.inputs.checks import present
from application.inputs.fields import Author, Command, FollowUpNote, TicketId
from application.ports import HelpdeskGateway
from domain.errors import InvalidInput


class AppendNoteCommand(Command, frozen=True):
    ticket_id: TicketId
    note: FollowUpNote
    author: Author | None = None


class AppendNoteResult(msgspec.Struct, frozen=True):
    ticket_id: str


class AppendNote:
    """Append ``note`` to ``ticket_id``.

    Rules:
    - ``ticketId`` is the id the bridge returned (blank is no id); an empty author is none.
    - An unknown ticket is ``TicketNotFound``, never a silently created ticket.
    """

    def __init__(self, helpdesk: HelpdeskGateway) -> None:
        self._helpdesk = helpdesk

    async def execute(self, command: AppendNoteCommand) -> AppendNoteResult:
        ticket_id = command.ticket_id.strip()
        if not ticket_id:
            raise InvalidInput.single("ticketId", "ticketId is required")
        await self._helpdesk.append_note(ticket_id, command.note.strip(), present(command.author))
        return AppendNoteResult(ticket_id)
