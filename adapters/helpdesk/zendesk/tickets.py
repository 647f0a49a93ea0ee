"""What one hand-off's ticket looks like in Zendesk: the create body (subject, an internal first
comment, tags, ``external_id``, the requester, custom fields), and how Zendesk says it refused
a create's Idempotency-Key."""

from __future__ import annotations

import re
from typing import Any

import httpx

from adapters.helpdesk.wire import REFERENCE_LABEL
from domain.ticket import NewTicket

BRIDGE_TAG = "helpdesk_bridge"
IDEMPOTENT_REQUEST_ERROR = "IdempotentRequestError"
"""Zendesk's 400 ``error`` for an Idempotency-Key reused with another body."""
_TAG_UNSAFE = re.compile(r"[^a-z0-9_]+")


def zendesk_tag(prefix: str, value: str) -> str:
    """Zendesk tags are lowercase words: ``category_wifi``, ``source_outageagent``."""
    return f"{prefix}_{_TAG_UNSAFE.sub('_', value.lower()).strip('_')}"[:80]


def ticket_fields(
    ticket: NewTicket, requester_id: int | None, custom: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ``ticket`` object of the create. ``requester_id``: the caller's end user (None: no
    caller number, and Zendesk makes the bridge's agent the requester)."""
    tags = [
        BRIDGE_TAG,
        zendesk_tag("category", ticket.category.value),
        zendesk_tag("reason", ticket.reason.value),
    ]
    if ticket.source:
        tags.append(zendesk_tag("source", ticket.source))
    body = ticket.body
    if ticket.reference:  # a queued hand-off: a caller may quote it, a technician find it
        tags.append(zendesk_tag("bridge_ref", ticket.reference))
        body += f"\n\n{REFERENCE_LABEL}: {ticket.reference}"
    fields: dict[str, Any] = {
        "subject": ticket.subject,
        "comment": {"body": body, "public": False},
        "tags": tags,
    }
    if ticket.dedup_key:
        fields["external_id"] = ticket.dedup_key
    if requester_id is not None:
        fields["requester_id"] = requester_id
    if custom:
        fields["custom_fields"] = custom
    return fields


def custom_fields(
    ticket: NewTicket,
    category_field_id: int | None,
    reason_field_id: int | None,
    confidence_field_id: int | None,
) -> list[dict[str, Any]]:
    """The configured ticket custom fields (text fields) with the hand-off's plain values."""
    pairs = (
        (category_field_id, ticket.category.value),
        (reason_field_id, ticket.reason.value),
        (confidence_field_id, ticket.confidence),
    )
    return [{"id": field, "value": value} for field, value in pairs if field and value]


def key_refused(response: httpx.Response) -> bool:
    """Zendesk refused the Idempotency-Key: in progress (409) or seen with another body (400)."""
    if response.status_code == 409:
        return True
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == IDEMPOTENT_REQUEST_ERROR
