"""A note for a ticket that does not exist yet: kept in the outbox with a queued hand-off, and
appended by its delivery once the ticket is filed (``DeliverHandoff``).

The outbox keeps the note as bytes it does not read (``PendingNote.body``); this module is the one
place that writes and reads them, so the use case that keeps a note and the delivery that appends
it agree on what it holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from application.ports import HelpdeskGateway, PendingNote
from application.timing.deadline import Deadline
from domain.ticket import Attachment


class TicketNote(msgspec.Struct, frozen=True):
    """An internal note as the helpdesk receives it: text, who adds it, and files."""

    text: str
    author: str | None = None
    attachments: tuple[Attachment, ...] = ()


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(TicketNote).decode


def pending_note(key: str, note: TicketNote) -> PendingNote:
    """``note`` as the outbox keeps it, under ``key`` (one note per key)."""
    return PendingNote(key, _encode(note))


def read_pending(pending: PendingNote) -> TicketNote:
    """The note kept as ``pending``; ``msgspec.DecodeError`` (a ``ValueError``) for bytes this
    version did not write."""
    return _decode(pending.body)


async def append_to(
    helpdesk: HelpdeskGateway,
    ticket_id: str,
    note: TicketNote,
    deadline: Deadline | None = None,
) -> None:
    """Append ``note`` to ``ticket_id`` as an internal note with its attachments."""
    attachments: Sequence[Attachment] = note.attachments
    await helpdesk.append_note(ticket_id, note.text, note.author, deadline, attachments)
