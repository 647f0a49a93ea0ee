"""Tickets as the bridge knows them: what the helpdesk gave back, plus what we asked for."""

from __future__ import annotations

import msgspec

from domain.taxonomy import Category, EscalationReason


class TicketRef(msgspec.Struct, frozen=True):
    """The few facts needed to answer a dedup hit: id, link, and when the problem was first filed
    (epoch seconds), which bounds how long it may still dedup."""

    id: str
    url: str
    created_at: float


class NewTicket(msgspec.Struct, frozen=True):
    """Everything a helpdesk needs to open a ticket for one hand-off.

    ``dedup_key`` is recorded in the helpdesk (Zendesk ``external_id``, an RT custom field) so a
    lookup can find the ticket after the bridge forgets it; ``request_key`` lets a helpdesk that
    supports it (Zendesk's Idempotency-Key) recognise a retried create.
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


def ticket_subject(category: Category, summary: str, limit: int = 120) -> str:
    """A one-line subject an agent can scan: "[WiFi] Customer unable to connect...".

    Lives in the domain so every helpdesk gets the same subject for the same hand-off.
    """
    first_line = summary.strip().splitlines()[0] if summary.strip() else "Escalation"
    text = f"[{category.value}] {first_line}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
