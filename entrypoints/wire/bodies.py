"""The JSON bodies both transports answer with: a hand-off's (filed or queued), a queued
hand-off's status, an error, health and readiness - camelCase on the wire, as the spec shows
them - and the one mapping of each result to its body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

from application.filing.ticket_filing import FiledTicket
from application.use_cases.handoff_status import HandoffStatusResult
from domain.taxonomy import Category, EscalationReason


class Wire(msgspec.Struct, rename="camel", frozen=True):
    """Base of every answer struct: camelCase on the wire, snake_case in Python."""


class Echo(Wire, frozen=True):
    oa_key: str | None
    caller_number: str | None


SAY_DESCRIPTION = (
    "One sentence an agent can read to the caller: the ticket number (or the queued reference) "
    "and what happens next (SAY_FILED_TEMPLATE, SAY_QUEUED_TEMPLATE)."
)


class HandoffResponse(Wire, frozen=True, omit_defaults=True):
    """The 200 body, exactly as the spec shows it, plus ``say``. A queued hand-off (202) adds
    ``"queued": true`` and says ``"status": "queued"``."""

    status: str
    created: bool
    ticket_id: str
    ticket_url: str
    category: Category
    escalation_reason: EscalationReason
    confidence: str | None
    echo: Echo
    say: Annotated[str, msgspec.Meta(description=SAY_DESCRIPTION)]
    queued: bool | None = None


def handoff_response(result: FiledTicket, say: str) -> HandoffResponse:
    """The webhook's body for a hand-off: the ticket (for a queued one, its reference and
    ``/handoffs/<reference>``), the fields as resolved, the dedup keys as used (the caller
    number normalised), and ``say``: the sentence for the caller
    (``application.speech.handoff``)."""
    problem = result.problem
    return HandoffResponse(
        status="queued" if result.queued else "ok",
        created=result.created,
        ticket_id=result.ticket.id,
        ticket_url=result.ticket.url,
        category=problem.category,
        escalation_reason=problem.reason,
        confidence=problem.confidence,
        echo=Echo(oa_key=problem.oa_key, caller_number=problem.caller_number),
        say=say,
        queued=True if result.queued else None,
    )


HandoffState = Annotated[
    str,
    msgspec.Meta(
        description="queued (the helpdesk has not taken it yet), delivered (ticketId is the "
        "real ticket) or dead (not delivered in time; an operator will see it)."
    ),
]


class HandoffStatusBody(Wire, frozen=True):
    """``GET /handoffs/{reference}``: where a queued hand-off is (no note, no caller number)."""

    # The ``get_handoff`` tool answers the same fields, with ``success`` (mcp/contract.py).

    reference: str
    state: HandoffState
    ticket_id: str | None
    ticket_url: str | None
    attempts: int
    last_error: str | None
    queued_at: str
    delivered_at: str | None


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def handoff_status_body(result: HandoffStatusResult) -> HandoffStatusBody:
    """The one mapping of a queued hand-off's status to the wire (route and MCP tool)."""
    return HandoffStatusBody(
        reference=result.reference,
        state=result.state.value,
        ticket_id=result.ticket_id,
        ticket_url=result.ticket_url,
        attempts=result.attempts,
        last_error=result.last_error,
        queued_at=_iso(result.queued_at) or "",
        delivered_at=_iso(result.delivered_at),
    )


class ErrorBody(Wire, frozen=True, omit_defaults=True, kw_only=True):
    """Every error: ``{"status":"error","code","message"}`` plus ``details`` / ``retryAfter``."""

    status: str
    code: str
    message: str
    details: dict[str, Any] | None = None
    retry_after: int | None = None


class HealthBody(Wire, frozen=True):
    status: str
    service: str
    timestamp: str


class ReadinessBody(Wire, frozen=True):
    status: str
    service: str
    checks: dict[str, str]
    timestamp: str
