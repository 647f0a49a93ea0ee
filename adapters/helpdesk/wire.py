"""Small helpers every HTTP helpdesk adapter needs to read answers and write notes the same way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from application.errors import HelpdeskBadResponse, HelpdeskUnavailable, TicketNotFound

AUTH_FAILURE_STATUSES = frozenset({401, 403})


def json_object(response: httpx.Response, operation: str) -> dict[str, Any]:
    """The body as a JSON object, or ``HelpdeskBadResponse``: a 2xx we cannot read is useless."""
    try:
        body = response.json()
    except ValueError as e:
        raise HelpdeskBadResponse(
            "The helpdesk answered with something that is not JSON",
            {"operation": operation, "status": response.status_code},
        ) from e
    if not isinstance(body, dict):
        raise bad_response(operation, response, "a JSON object was expected")
    return body


def bad_response(operation: str, response: httpx.Response, why: str) -> HelpdeskBadResponse:
    """A ``HelpdeskBadResponse`` naming the call and status, never the body (it may hold PII)."""
    return HelpdeskBadResponse(
        f"The helpdesk answered {operation} unexpectedly: {why}",
        {"operation": operation, "status": response.status_code},
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
    return bad_response(operation, response, f"status {response.status_code}")


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
