"""Where a queued hand-off is: ``GET /handoffs/{reference}`` and the ``helpdesk_get_handoff`` tool.

A caller (or the agent on their behalf) quotes the reference they were given when the helpdesk
could not take the hand-off; this answers whether it has become a ticket yet, and which.
"""

from __future__ import annotations

import msgspec

from application.errors import HandoffNotFound
from application.ids import normalised_reference
from application.inputs.fields import Command, HandoffReference
from application.ports import Outbox, OutboxState


class HandoffStatusCommand(Command, frozen=True):
    """The reference to look up (the tool's arguments; the route's path parameter)."""

    reference: HandoffReference


class HandoffStatusResult(msgspec.Struct, frozen=True, kw_only=True):
    """A queued hand-off as the caller may see it: no note, no caller number."""

    reference: str
    state: OutboxState
    ticket_id: str | None
    ticket_url: str | None
    attempts: int
    last_error: str | None
    queued_at: float  # epoch seconds
    delivered_at: float | None


class HandoffStatus:
    """Look up a queued hand-off by its reference (case and spaces as a person types them)."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def execute(self, command: HandoffStatusCommand) -> HandoffStatusResult:
        reference = normalised_reference(command.reference)
        item = await self._outbox.get(reference)
        if item is None:
            raise HandoffNotFound(f"No queued hand-off has the reference {reference}")
        return HandoffStatusResult(**{name: getattr(item, name) for name in _FIELDS})


_FIELDS = HandoffStatusResult.__struct_fields__  # each a field of QueuedHandoff too
