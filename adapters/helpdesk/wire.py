"""Small helpers every HTTP helpdesk adapter needs to read answers and write notes the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx

from application.errors import HelpdeskBadResponse, HelpdeskUnavailable, TicketNotFound
from domain.ticket import MAX_ATTACHMENTS, Attachment

REFERENCE_LABEL = "Bridge reference"
"""The line a ticket made from a queued hand-off carries (``Bridge reference: HB-7KQ2MX``)."""

AUTH_FAILURE_STATUSES = frozenset({401, 403})
"""The helpdesk refuses us (bad or revoked credentials, missing permission)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer:
    """A helpdesk's JSON object answer to one call, read field by field. Whatever does not have
    the shape we need is a ``HelpdeskBadResponse`` naming the call and the status, never the
    body (it may hold PII): a 2xx we cannot read is useless."""

    operation: str
    status: int
    body: dict[str, Any]

    @classmethod
    def read(cls, response: httpx.Response, operation: str) -> Answer:
        try:
            body = response.json()
        except ValueError as e:  # JSON decoding and text decoding errors alike
            raise HelpdeskBadResponse(
                "The helpdesk answered with something that is not JSON",
                {"operation": operation, "status": response.status_code},
            ) from e
        if not isinstance(body, dict):
            raise bad_response(operation, response.status_code, "a JSON object was expected")
        return cls(operation, response.status_code, body)

    def field(self, name: str, kind: type[T], why: str) -> T:
        """The body's ``name`` if it is a ``kind``; ``why`` says what was missing."""
        value = self.body.get(name)
        if not isinstance(value, kind):
            raise self.bad(why)
        return value

    def bad(self, why: str) -> HelpdeskBadResponse:
        return bad_response(self.operation, self.status, why)


def bad_response(operation: str, status: int, why: str) -> HelpdeskBadResponse:
    """A ``HelpdeskBadResponse`` naming the call and status."""
    return HelpdeskBadResponse(
        f"The helpdesk answered {operation} unexpectedly: {why}",
        {"operation": operation, "status": status},
    )


def unexpected_status(operation: str, response: httpx.Response) -> Exception:
    """Map a non-2xx status the adapter has no specific meaning for to a port error.

    401/403 mean the helpdesk refuses us (bad or revoked credentials, missing permission): the
    helpdesk is unavailable to us, so callers get the 503-class error and an operator must act.
    Anything else (400, 409, 422, ...) is an answer we cannot use.
    """
    if response.status_code in AUTH_FAILURE_STATUSES:
        return HelpdeskUnavailable(
            "The helpdesk refused us (credentials or permissions)",
            {"operation": operation, "status": response.status_code},
        )
    return bad_response(operation, response.status_code, f"status {response.status_code}")


def numeric_ticket_id(ticket_id: str) -> int:
    """Both Zendesk and RT number their tickets; anything else cannot exist there.

    Checked before any request, so an id like ``../users`` never reaches a URL path.
    """
    text = ticket_id.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise TicketNotFound(f"Ticket {ticket_id} not found")
    return int(text)


def parse_timestamp(value: object) -> float | None:
    """An ISO-8601 timestamp (``2026-01-05T10:00:00Z``) as epoch seconds; None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp()


def note_body(text: str, author: str | None) -> str:
    """The note as posted: the text, then who added it (helpdesk users differ from our authors)."""
    return f"{text}\n\n— {author}" if author else text


def checked_attachments(attachments: Sequence[Attachment]) -> Sequence[Attachment]:
    """A note's files, refused (``ValueError``, a caller's bug) past ``MAX_ATTACHMENTS``; each
    file is bounded already (``Attachment``). Checked before any request, by every backend."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValueError(f"a note carries at most {MAX_ATTACHMENTS} attachments")
    return attachments
