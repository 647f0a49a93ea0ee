"""The rule table: one annotated type per input field, shared by every command that has it.

Each alias below is the whole rule of one wire field: its type, its limits (the domain's
constants), the description a reader of the schema (a model, an OpenAPI client) sees, and in
``Meta.extra`` what a schema cannot say - ``CHECK``, the domain parser that judges the value (a
note's shape, a phone number's plan), and ``PATTERN_MESSAGE``, the words for a pattern miss.

From these types come the webhook's body, every MCP tool's input schema and the wording of every
refusal (``entrypoints.boundary``). msgspec enforces types and limits when the boundary decodes a
command; the use case runs the domain parsers on what it decoded. A command built in Python is
trusted to follow its types, as the boundary's ``decode`` would have made it.

Webhook behaviour is the rule for both transports: unknown fields are ignored, ``null`` means
absent, an empty ``oaKey`` / ``source`` / ``author`` / ``callerNumber`` means absent, and a caller
number is normalised (so it has a length cap, not an E.164 pattern).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import msgspec

from application.idempotency import MAX_IDEMPOTENCY_KEY_CHARS
from domain.note import (
    CONFIDENCE_MESSAGE,
    CONFIDENCE_PATTERN,
    FREE_TEXT_MAX_CHARS,
    FREE_TEXT_MIN_CHARS,
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
    SUMMARY_MAX_CHARS,
    Note,
    looks_like_note,
    parse_summary,
)
from domain.phone import MAX_INPUT_LENGTH, parse_caller_number
from domain.taxonomy import Category, EscalationReason

CHECK = "check"
PATTERN_MESSAGE = "pattern_message"

MAX_KEY_CHARS = 128
MAX_SOURCE_CHARS = 64
MAX_TICKET_ID_CHARS = 64
MAX_REFERENCE_CHARS = 32  # HB- + 6, with room for the spaces a person types
MAX_AUTHOR_CHARS = 64
MAX_METADATA_ENTRIES = 20
MAX_METADATA_VALUE_CHARS = 200
MAX_CALLER_NUMBER_CHARS = MAX_INPUT_LENGTH

EXAMPLE_NOTE = (
    "Category: WiFi\nReason: CallerRequested\n"
    "Summary: Customer unable to connect to WiFi\nConfidence: 0.85"
)


def spoken_duration(seconds: float) -> str:
    """A window as a reader says it ("4 hours", "15 minutes", "90 seconds"), so a description
    rendered from a setting reads like one written by hand."""
    whole = int(seconds)
    for size, unit in ((3600, "hour"), (60, "minute")):
        if whole >= size and whole % size == 0 and whole == seconds:
            count = whole // size
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


def read_description(text: str) -> object:
    """A description written as a 4-line note must be a valid note; other text is free."""
    return Note.parse(text) if looks_like_note(text) else None


def checks(annotation: Any) -> tuple[Callable[[Any], object] | None, str | None]:
    """``(CHECK, PATTERN_MESSAGE)`` of a field's annotation (through ``X | None``)."""
    for meta in _metas(annotation):
        extra = meta.extra or {}
        if extra:
            return extra.get(CHECK), extra.get(PATTERN_MESSAGE)
    return None, None


def _metas(annotation: Any) -> list[msgspec.Meta]:
    found: list[msgspec.Meta] = []
    for member in getattr(annotation, "__args__", ()):
        found.extend(_metas(member))
    found.extend(m for m in getattr(annotation, "__metadata__", ()) if isinstance(m, msgspec.Meta))
    return found


def rule(
    description: str,
    *,
    example: str | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    pattern_message: str | None = None,
    check: Callable[[str], object] | None = None,
    empty_is_absent: bool = False,
) -> msgspec.Meta:
    """One row of the table: a field's limits, its description and its domain check."""
    extra = {k: v for k, v in ((CHECK, check), (PATTERN_MESSAGE, pattern_message)) if v}
    return msgspec.Meta(
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
        description=description + (" Empty means absent." if empty_is_absent else ""),
        examples=[example] if example else None,
        extra=extra or None,
    )


HandoffNote = Annotated[
    str,
    rule(
        f"The 4-line note ({NOTE_MIN_CHARS}-{NOTE_MAX_CHARS} characters): 'Category: "
        "<category>\\nReason: <reason>\\nSummary: <one line, at most "
        f"{SUMMARY_MAX_CHARS} characters>\\nConfidence: <0.0-1.0>'.",
        example=EXAMPLE_NOTE,
        min_length=NOTE_MIN_CHARS,
        max_length=NOTE_MAX_CHARS,
        check=Note.parse,
    ),
]
_FREE_TEXT = f"{FREE_TEXT_MIN_CHARS}-{FREE_TEXT_MAX_CHARS} characters"
Description = Annotated[
    str,
    rule(
        f"What the caller's problem is, in plain words ({_FREE_TEXT}). A 4-line note "
        "(Category/Reason/Summary/Confidence) is read as one.",
        example="Customer unable to connect to WiFi after a router reset",
        min_length=FREE_TEXT_MIN_CHARS,
        max_length=FREE_TEXT_MAX_CHARS,
        check=read_description,
    ),
]
FollowUpNote = Annotated[
    str,
    rule(
        f"The follow-up to record ({_FREE_TEXT}): what changed, what was tried, what the "
        "caller said. Internal: the customer is not e-mailed.",
        example="Customer called back: WiFi works again after a second reset",
        min_length=FREE_TEXT_MIN_CHARS,
        max_length=FREE_TEXT_MAX_CHARS,
    ),
]
_CATEGORY = "The problem's category."
_REASON = (
    "Why a human is needed (CallerRequested: the caller asked; TwoStepsNoResolve: two "
    "troubleshooting steps did not resolve it)."
)
_INFERRED = " Omit it to let the bridge read it from the note or infer it from the text."
CategoryName = Annotated[Category, rule(_CATEGORY)]
ReasonName = Annotated[EscalationReason, rule(_REASON)]
InferredCategory = Annotated[Category, rule(_CATEGORY + _INFERRED)]
InferredReason = Annotated[EscalationReason, rule(_REASON + _INFERRED)]
Confidence = Annotated[
    str,
    rule(
        'How sure you are of the category, as a string from "0.0" to "1.0" (e.g. "0.85").',
        example="0.85",
        pattern=CONFIDENCE_PATTERN,
        pattern_message=CONFIDENCE_MESSAGE,
    ),
]
CallerNumberText = Annotated[
    str,
    rule(
        "The caller's phone number with its country code (e.g. +12345678900; spaces, dots "
        "and dashes are fine: it is normalised to E.164). Identifies the caller for "
        "deduplication.",
        example="+12345678900",
        max_length=MAX_CALLER_NUMBER_CHARS,
        check=parse_caller_number,
        empty_is_absent=True,
    ),
]
OaKey = Annotated[
    str,
    rule(
        "Your stable key for this problem (e.g. the conversation id); it dedups first: the "
        "same oaKey finds the same open ticket.",
        example="oa-12345",
        max_length=MAX_KEY_CHARS,
        empty_is_absent=True,
    ),
]
SourceLabel = Annotated[
    str,
    rule(
        "Which agent or assistant is filing (a free label, e.g. OutageAgent, ATOM).",
        example="OutageAgent",
        max_length=MAX_SOURCE_CHARS,
        empty_is_absent=True,
    ),
]
TicketId = Annotated[
    str,
    rule(
        "The ticket's id exactly as a previous call returned it (e.g. TKT-1000).",
        example="TKT-1000",
        min_length=1,
        max_length=MAX_TICKET_ID_CHARS,
    ),
]
HandoffReference = Annotated[
    str,
    rule(
        "The bridge reference a queued hand-off was answered with (e.g. HB-7KQ2MX); case and "
        "spaces do not matter.",
        example="HB-7KQ2MX",
        min_length=1,
        max_length=MAX_REFERENCE_CHARS,
    ),
]
Author = Annotated[
    str,
    rule(
        "Who writes the note (e.g. ISPN-Agent).",
        example="ISPN-Agent",
        max_length=MAX_AUTHOR_CHARS,
        empty_is_absent=True,
    ),
]
Summary = Annotated[
    str,
    rule(
        f"One line (no line breaks, at most {SUMMARY_MAX_CHARS} characters) a technician can "
        "act on, e.g. 'Customer unable to connect to WiFi after router reset'.",
        min_length=1,
        max_length=SUMMARY_MAX_CHARS,
        check=parse_summary,
    ),
]
MetadataValue = Annotated[str, msgspec.Meta(max_length=MAX_METADATA_VALUE_CHARS)]
Metadata = Annotated[
    dict[str, MetadataValue],
    rule(
        f"Extra facts for the technician as string pairs (at most {MAX_METADATA_ENTRIES}, "
        f"values up to {MAX_METADATA_VALUE_CHARS} characters), e.g. "
        '{"accountId": "A-123", "modem": "SB8200"}. Added to the ticket body.',
        max_length=MAX_METADATA_ENTRIES,
    ),
]
IdempotencyKey = Annotated[
    str,
    rule(
        f"1-{MAX_IDEMPOTENCY_KEY_CHARS} printable characters naming one request, so a retry "
        "of it is answered once.",
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY_CHARS,
    ),
]


class Command(msgspec.Struct, frozen=True, rename="camel"):
    """Base of every use case's input: snake_case in Python, camelCase on the wire."""


class ProblemFields(Command, frozen=True, kw_only=True):
    """The optional fields every "file this problem" input shares (webhook and MCP tools)."""

    category: InferredCategory | None = None
    escalation_reason: InferredReason | None = None
    confidence: Confidence | None = None
    caller_number: CallerNumberText | None = None
    oa_key: OaKey | None = None
    source: SourceLabel | None = None
