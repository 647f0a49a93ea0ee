"""Tickets as the bridge knows them: what the helpdesk gave back, plus what we asked for."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from domain.taxonomy import Category, EscalationReason


class TicketRef(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The few facts needed to answer a dedup hit: id, link, and when the problem was first filed
    (epoch seconds), which bounds how long it may still dedup.

    ``queued``: not a helpdesk ticket but the marker of a hand-off kept in the outbox until the
    helpdesk takes it (``id`` is its bridge reference, ``url`` its status page, ``created_at``
    when it was queued), so the same problem while queued answers with the same reference.
    Defaults are left out of the encoding, so a ticket's stored form is what it always was.
    """

    id: str
    url: str
    created_at: float
    queued: bool = False


class NewTicket(msgspec.Struct, frozen=True):
    """Everything a helpdesk needs to open a ticket for one hand-off.

    ``dedup_key`` is recorded in the helpdesk (Zendesk ``external_id``, an RT custom field) so a
    lookup can find the ticket after the bridge forgets it; ``request_key`` lets a helpdesk that
    supports it (Zendesk's Idempotency-Key) recognise a retried create: it is derived from the
    problem, so every attempt, instance and later delivery of one problem sends the same one
    with the same body. ``reference`` is the bridge reference of a queued hand-off, for the
    helpdesk to carry (a tag, a line in the first comment) so a caller quoting it can be found.
    """

    subject: str
    body: str
    category: Category
    reason: EscalationReason
    confidence: str | None = None
    caller_number: str | None = None
    source: str | None = None
    dedup_key: str | None = None
    request_key: str | None = None
    reference: str | None = None


class TicketState(StrEnum):
    """A ticket's state in plain words, the same for every helpdesk (each backend maps its own
    statuses onto these); ``queued`` is a hand-off still in the bridge's outbox."""

    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    CLOSED = "closed"
    QUEUED = "queued"


class TicketStatus(msgspec.Struct, frozen=True):
    """What a caller ringing back may be told of a ticket: nothing but its state, subject and
    times (epoch seconds); comments and internal notes are never read into it."""

    id: str
    url: str
    state: TicketState
    subject: str
    created_at: float
    updated_at: float


MAX_ATTACHMENT_BYTES = 2_000_000
"""The largest file one note carries (a long call's transcript is some 100 kB): well inside
what Zendesk (50 MB) and RT (``$MaxAttachmentSize``, 10 MB by default) take."""
MAX_ATTACHMENTS = 4
"""The most files one note carries."""
MAX_FILENAME_LENGTH = 120


class Attachment(msgspec.Struct, frozen=True):
    """A file to go with an internal note (a call's whole transcript).

    Bounded when it is made (``MAX_ATTACHMENT_BYTES``; a plain file name without a path), so
    every helpdesk gets the same files or none: ``Attachment.text`` cuts a long text to fit."""

    filename: str
    content_type: str
    data: bytes

    def __post_init__(self) -> None:
        name = self.filename
        if not name or len(name) > MAX_FILENAME_LENGTH or any(c in name for c in "/\\\0"):
            raise ValueError(f"an attachment needs a plain file name of 1-{MAX_FILENAME_LENGTH}")
        if "/" not in self.content_type or len(self.content_type) > 100:
            raise ValueError("an attachment needs a MIME type, e.g. text/plain")
        if len(self.data) > MAX_ATTACHMENT_BYTES:
            raise ValueError(f"an attachment holds at most {MAX_ATTACHMENT_BYTES} bytes")

    @classmethod
    def text(cls, filename: str, text: str, limit: int = MAX_ATTACHMENT_BYTES) -> Attachment:
        """A UTF-8 text file, cut at a character boundary to at most ``limit`` bytes."""
        data = text.encode()
        if len(data) > limit:
            data = data[:limit].decode(errors="ignore").encode()
        return cls(filename, "text/plain; charset=utf-8", data)


def ticket_subject(category: Category, summary: str, limit: int = 120) -> str:
    """A one-line subject an agent can scan: "[WiFi] Customer unable to connect...".

    Lives in the domain so every helpdesk gets the same subject for the same hand-off.
    """
    first_line = summary.strip().splitlines()[0] if summary.strip() else "Escalation"
    text = f"[{category.value}] {first_line}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
