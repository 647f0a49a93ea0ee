"""Wire structs shared by HTTP and MCP: one base, camelCase names, the spec's exact shapes."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from application.inputs import MAX_KEY_CHARS, MAX_SOURCE_CHARS
from domain.note import CONFIDENCE_PATTERN, NOTE_MAX_CHARS, NOTE_MIN_CHARS
from domain.phone import E164_PATTERN, MAX_INPUT_LENGTH
from domain.taxonomy import Category, EscalationReason


class Wire(msgspec.Struct, rename="camel", frozen=True):
    """Base of every boundary struct: camelCase on the wire, snake_case in Python."""


NoteText = Annotated[
    str,
    msgspec.Meta(
        min_length=NOTE_MIN_CHARS,
        max_length=NOTE_MAX_CHARS,
        description="The 4-line note: Category / Reason / Summary (<= 250) / Confidence.",
        examples=[
            "Category: WiFi\nReason: CallerRequested\n"
            "Summary: Customer unable to connect to WiFi\nConfidence: 0.85"
        ],
    ),
]
ConfidenceText = Annotated[
    str,
    msgspec.Meta(pattern=CONFIDENCE_PATTERN, description='"0.0" to "1.0"', examples=["0.85"]),
]
CallerNumberText = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_INPUT_LENGTH,
        description=f"E.164 ({E164_PATTERN}); normalised before use.",
        examples=["+12345678900"],
    ),
]
OaKeyText = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_KEY_CHARS,
        description="The agent's key for this problem (e.g. the conversation id); dedups first. "
        "Empty means absent.",
        examples=["oa-12345"],
    ),
]
SourceText = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_SOURCE_CHARS,
        description="Which agent sent it (free label). Empty means absent.",
        examples=["OutageAgent"],
    ),
]


class HandoffPayload(Wire, frozen=True):
    """``POST /ingest/oa-handoff`` body. Unknown fields are ignored; null means absent."""

    note: NoteText
    category: Category | None = None
    escalation_reason: EscalationReason | None = None
    confidence: ConfidenceText | None = None
    caller_number: CallerNumberText | None = None
    oa_key: OaKeyText | None = None
    source: SourceText | None = None


class Echo(Wire, frozen=True):
    oa_key: str | None
    caller_number: str | None


class HandoffResponse(Wire, frozen=True):
    """The 200 body, exactly as the spec shows it."""

    status: str
    created: bool
    ticket_id: str
    ticket_url: str
    category: Category
    escalation_reason: EscalationReason
    confidence: str | None
    echo: Echo


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
