"""The rule table: one annotated type per input field, shared by every command that has it.

Each alias below is the whole rule of one wire field: its type, its limits (the domain's
constants), the description a reader of the schema (a model, an OpenAPI client) sees, and in
``Meta.extra`` what a schema cannot say (``application.inputs.field_rules``): the domain check that
judges the value, the words for a pattern miss, and the looser form a model may write instead.

From these types come the webhook's body, every MCP tool's input schema and the wording of every
refusal (``entrypoints.wire.decoding``). msgspec enforces types and limits when the wire decoding
decodes a command; the use case runs the domain parsers on what it decoded. A command built in
Python is trusted to follow its types, as ``decode`` would have made it.

Webhook behaviour is the rule for both transports: unknown fields are ignored, ``null`` means
absent, an empty string for an optional field means absent, and a caller number is normalised
(so it has a length cap, not an E.164 pattern). Inputs shaped like an LLM's are taken too
(``application.inputs.lenient``): a confidence as a JSON number, a national caller number when a
default region is set, and ``summary`` in place of the hand-off's ``note``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

import msgspec

from application.inputs.field_rules import checks as checks  # explain reads the rows through it
from application.inputs.field_rules import rule
from application.inputs.idempotency_key import MAX_IDEMPOTENCY_KEY_CHARS
from domain.note import (
    CONFIDENCE_MESSAGE,
    CONFIDENCE_PATTERN,
    FREE_TEXT_MAX_CHARS,
    FREE_TEXT_MIN_CHARS,
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
    SUMMARY_MAX_CHARS,
    Note,
    confidence_from_number,
    looks_like_note,
    parse_summary,
)
from domain.phone import MAX_INPUT_LENGTH, parse_caller_number
from domain.taxonomy import Category, EscalationReason

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


def confidence_form(value: Any, _region: str | None) -> Any:
    """A confidence written as a JSON number (an LLM fills a number property so) -> its string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return confidence_from_number(value)
    return value


def caller_number_form(value: Any, region: str | None) -> Any:
    """With a default region, a caller number in its national form -> E.164 (over-long text is
    left for the length rule to refuse)."""
    if region is None or not isinstance(value, str) or not value or len(value) > MAX_INPUT_LENGTH:
        return value
    return parse_caller_number(value, region)


HandoffNote = Annotated[
    str,
    rule(
        f"The 4-line note ({NOTE_MIN_CHARS}-{NOTE_MAX_CHARS} characters): 'Category: "
        "<category>\\nReason: <reason>\\nSummary: <one line, at most "
        f"{SUMMARY_MAX_CHARS} characters>\\nConfidence: <0.0-1.0>'. Give it, or summary (with "
        "category, escalationReason, confidence) and the bridge writes it.",
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
        'How sure you are of the category, as a string from "0.0" to "1.0" (e.g. "0.85"); a '
        "number from 0 to 1 is taken too.",
        example="0.85",
        pattern=CONFIDENCE_PATTERN,
        pattern_message=CONFIDENCE_MESSAGE,
        lenient=confidence_form,
    ),
]
CallerNumberText = Annotated[
    str,
    rule(
        "The caller's phone number with its country code (e.g. +12345678900; spaces, dots "
        "and dashes are fine: it is normalised to E.164). Identifies the caller for "
        "deduplication. A national number is read in the bridge's default region, if set.",
        example="+12345678900",
        max_length=MAX_CALLER_NUMBER_CHARS,
        check=parse_caller_number,
        lenient=caller_number_form,
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
_SUMMARY = (
    f"One line (no line breaks, at most {SUMMARY_MAX_CHARS} characters) a technician can act "
    "on, e.g. 'Customer unable to connect to WiFi after router reset'."
)
Summary = Annotated[
    str, rule(_SUMMARY, min_length=1, max_length=SUMMARY_MAX_CHARS, check=parse_summary)
]
NoteSummary = Annotated[
    str,
    rule(
        _SUMMARY + " Instead of note: the bridge writes the 4-line note from it and category, "
        "escalationReason, confidence (missing ones inferred; see the API docs).",
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
    """Base of every use case's input: snake_case in Python, camelCase on the wire.

    ``ONE_OF``: wire names of optional fields of which exactly one must be given (the
    hand-off's ``note`` or ``summary``); empty when the command has no such choice."""

    ONE_OF: ClassVar[tuple[str, ...]] = ()


class ProblemFields(Command, frozen=True, kw_only=True):
    """The optional fields every "file this problem" input shares (webhook and MCP tools)."""

    category: InferredCategory | None = None
    escalation_reason: InferredReason | None = None
    confidence: Confidence | None = None
    caller_number: CallerNumberText | None = None
    oa_key: OaKey | None = None
    source: SourceLabel | None = None
