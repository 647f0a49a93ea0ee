"""The tools' wire contract: names, argument types (-> inputSchema), results (-> outputSchema),
descriptions written for a model, and annotations. Limits and patterns come from the domain, so
the schema a model reads is the rule the use case enforces.

Names: the spec's names are dotted (``helpdesk.create_ticket``). The MCP spec allows dots, but
Claude Desktop, claude.ai, Windsurf, Copilot and ElevenLabs accept only ``^[a-zA-Z0-9_-]{1,64}$``
and hide *every* tool of a server when one name fails, so the default style replaces ``.`` by
``_``; ``MCP_TOOL_NAME_STYLE=dotted`` serves the spec's exact names for clients that want them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, NotRequired

from mcp.types import ToolAnnotations
from pydantic import Field
from typing_extensions import TypedDict

from application.fields import (
    MAX_AUTHOR_CHARS,
    MAX_KEY_CHARS,
    MAX_METADATA_ENTRIES,
    MAX_METADATA_VALUE_CHARS,
    MAX_SOURCE_CHARS,
    MAX_TICKET_ID_CHARS,
)
from domain.note import (
    CONFIDENCE_PATTERN,
    FREE_TEXT_MAX_CHARS,
    FREE_TEXT_MIN_CHARS,
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
    SUMMARY_MAX_CHARS,
)
from domain.phone import E164_PATTERN
from domain.taxonomy import Category, EscalationReason

# --- names ------------------------------------------------------------------------------------

CREATE_TICKET = "create_ticket"
APPEND_NOTE = "append_note"
FIND_OR_CREATE_TICKET = "find_or_create_ticket"
RENDER_NOTE = "render_note"
OA_HANDOFF = "oa_handoff"

SPEC_NAMES: Mapping[str, str] = {
    CREATE_TICKET: "helpdesk.create_ticket",
    APPEND_NOTE: "helpdesk.append_note",
    FIND_OR_CREATE_TICKET: "helpdesk.find_or_create_ticket",
    RENDER_NOTE: "ingest.render_note",
    OA_HANDOFF: "ingest.oa_handoff",
}
TOOL_NAME_RULE = r"^[a-zA-Z0-9_-]{1,64}$"  # what Claude Desktop, ElevenLabs & co. accept


def tool_names(style: str) -> dict[str, str]:
    """Tool key -> served name: ``underscore`` (default, client-safe) or ``dotted`` (the spec's)."""
    if style == "dotted":
        return dict(SPEC_NAMES)
    if style == "underscore":
        return {key: name.replace(".", "_") for key, name in SPEC_NAMES.items()}
    raise ValueError(f"unknown tool name style {style!r} (expected underscore or dotted)")


# --- arguments --------------------------------------------------------------------------------

Description = Annotated[
    str,
    Field(
        min_length=FREE_TEXT_MIN_CHARS,
        max_length=FREE_TEXT_MAX_CHARS,
        description="What the caller's problem is, in plain words (10-1000 characters). A 4-line "
        "note (Category/Reason/Summary/Confidence) is read as one.",
    ),
]
CategoryArg = Annotated[
    Category | None,
    Field(description="The problem's category. Omit it to let the bridge infer it from the text."),
]
ReasonArg = Annotated[
    EscalationReason | None,
    Field(
        description="Why a human is needed: CallerRequested (the caller asked), TwoStepsNoResolve "
        "(two troubleshooting steps failed), OutOfScope, SafetyRisk, BillingOrAccount, Other. "
        "Omit it to let the bridge infer it."
    ),
]
ConfidenceArg = Annotated[
    str | None,
    Field(
        pattern=CONFIDENCE_PATTERN,
        description='How sure you are of the category, as a string from "0.0" to "1.0" '
        '(e.g. "0.85").',
    ),
]
CallerNumberArg = Annotated[
    str | None,
    Field(
        pattern=E164_PATTERN,
        description="The caller's phone number in E.164 form (+ country code, digits only, "
        "e.g. +12345678900). Identifies the caller for deduplication.",
    ),
]
OaKeyArg = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=MAX_KEY_CHARS,
        description="Your stable key for this problem (e.g. the conversation id). The same "
        "oaKey within 4 hours always finds the same ticket.",
    ),
]
SourceArg = Annotated[
    str | None,
    Field(
        max_length=MAX_SOURCE_CHARS,
        description="Which agent or assistant is filing (a free label, e.g. OutageAgent, ATOM).",
    ),
]
MetadataArg = Annotated[
    dict[str, Annotated[str, Field(max_length=MAX_METADATA_VALUE_CHARS)]] | None,
    Field(
        max_length=MAX_METADATA_ENTRIES,
        description=f"Extra facts for the technician as string pairs (at most "
        f"{MAX_METADATA_ENTRIES}, values up to {MAX_METADATA_VALUE_CHARS} characters), e.g. "
        '{"accountId": "A-123", "modem": "SB8200"}. Added to the ticket body.',
    ),
]
TicketIdArg = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TICKET_ID_CHARS,
        description="The ticket's id exactly as a previous call returned it (e.g. TKT-1000).",
    ),
]
NoteTextArg = Annotated[
    str,
    Field(
        min_length=FREE_TEXT_MIN_CHARS,
        max_length=FREE_TEXT_MAX_CHARS,
        description="The follow-up to record (10-1000 characters): what changed, what was "
        "tried, what the caller said. Internal: the customer is not e-mailed.",
    ),
]
AuthorArg = Annotated[
    str | None,
    Field(max_length=MAX_AUTHOR_CHARS, description="Who writes the note (e.g. ISPN-Agent)."),
]
RequiredCategoryArg = Annotated[Category, Field(description="The problem's category.")]
RequiredReasonArg = Annotated[
    EscalationReason, Field(description="Why a human is needed (see the enum).")
]
SummaryArg = Annotated[
    str,
    Field(
        min_length=1,
        max_length=SUMMARY_MAX_CHARS,
        description=f"One line (no line breaks, at most {SUMMARY_MAX_CHARS} characters) a "
        "technician can act on, e.g. 'Customer unable to connect to WiFi after router reset'.",
    ),
]
RequiredConfidenceArg = Annotated[
    str,
    Field(
        pattern=CONFIDENCE_PATTERN,
        description='How sure you are, as a string from "0.0" to "1.0" (e.g. "0.85").',
    ),
]
HandoffNoteArg = Annotated[
    str,
    Field(
        min_length=NOTE_MIN_CHARS,
        max_length=NOTE_MAX_CHARS,
        description="The 4-line note (at most 350 characters), exactly as the render-note tool "
        "returns it: 'Category: <category>\\nReason: <reason>\\nSummary: <one line, <= 250>\\n"
        "Confidence: <0.0-1.0>'.",
    ),
]

# --- results ----------------------------------------------------------------------------------

TicketId = Annotated[str, Field(description="The ticket's id (e.g. TKT-1000); quote it.")]
TicketUrl = Annotated[str, Field(description="Link to the ticket in the helpdesk.")]
Created = Annotated[
    bool, Field(description="true: a new ticket was filed; false: the open one was found.")
]


class CreateTicketOutput(TypedDict):
    success: bool
    ticketId: TicketId
    ticketUrl: TicketUrl
    category: Category
    escalationReason: EscalationReason


class AppendNoteOutput(TypedDict):
    success: bool
    message: str
    ticketId: TicketId


class FindOrCreateOutput(TypedDict):
    success: bool
    created: Created
    ticketId: TicketId
    ticketUrl: TicketUrl
    message: NotRequired[str]


class RenderNoteOutput(TypedDict):
    success: bool
    note: Annotated[str, Field(description="The 4-line note, ready for the hand-off tool.")]
    charCount: Annotated[int, Field(description="Its length in characters (<= 350).")]
    lineCount: Annotated[int, Field(description="Its number of lines (4).")]


class EchoOutput(TypedDict):
    oaKey: str | None
    callerNumber: str | None


class OaHandoffOutput(TypedDict):
    success: bool
    created: Created
    ticketId: TicketId
    ticketUrl: TicketUrl
    category: Category
    escalationReason: EscalationReason
    confidence: str | None
    echo: Annotated[
        EchoOutput, Field(description="The dedup keys as used (callerNumber normalised).")
    ]


# --- descriptions and annotations -------------------------------------------------------------

ERRORS = (
    " On failure the result has isError=true and {success:false, code, message, details}: "
    "code VALIDATION_ERROR (fix the arguments named in details), HELPDESK_UNAVAILABLE "
    "(retry after retryAfter seconds)"
)


def descriptions(names: Mapping[str, str]) -> dict[str, str]:
    """Each tool's description: when to use it, what it returns, what can go wrong."""
    return {
        CREATE_TICKET: (
            "Open a NEW helpdesk ticket for a caller's problem, always, without looking for an "
            "existing one. Use it only when the user explicitly wants a separate ticket; "
            f"otherwise use {names[FIND_OR_CREATE_TICKET]}, which avoids duplicates. Category "
            "and escalationReason are inferred from the description when omitted. Returns "
            "ticketId and ticketUrl (tell the user the id) plus the category and reason used. "
            "Not idempotent: every call files another ticket." + ERRORS + "."
        ),
        APPEND_NOTE: (
            "Add a follow-up note to an existing ticket (internal; the customer is not "
            "e-mailed): new facts, what was tried, a callback. Use the ticketId returned by "
            f"{names[CREATE_TICKET]}, {names[FIND_OR_CREATE_TICKET]} or {names[OA_HANDOFF]}. "
            "Returns success and the ticketId. Each call adds one note: do not repeat a call "
            "that succeeded." + ERRORS + ", TICKET_NOT_FOUND (unknown ticketId)."
        ),
        FIND_OR_CREATE_TICKET: (
            "The default way to escalate a problem to a human: returns the caller's open ticket "
            "for the same problem if there is one (same oaKey, else same callerNumber + "
            "category, within 4 hours), else files a new one. Pass oaKey and/or callerNumber so "
            "duplicates are caught; with them a retry returns the same ticket. Returns created "
            "(false = existing ticket found), ticketId, ticketUrl and a message. If created is "
            f"false and you have new information, add it with {names[APPEND_NOTE]}."
            + ERRORS
            + ", DEDUP_IN_PROGRESS (retry in a second)."
        ),
        RENDER_NOTE: (
            "Format the 4-line hand-off note (Category / Reason / Summary / Confidence) from its "
            "parts, checking the limits (summary one line <= 250 characters, confidence "
            '"0.0"-"1.0", note <= 350 characters). Read-only: files nothing. Returns the note, '
            f"its charCount and lineCount; pass the note to {names[OA_HANDOFF]}. "
            "On invalid parts: isError=true, code VALIDATION_ERROR with details per argument."
        ),
        OA_HANDOFF: (
            "Hand the caller over to a human with a 4-line note (the same as the bridge's "
            f"webhook): build the note with {names[RENDER_NOTE]}, then call this. Finds the "
            "caller's open ticket for the same problem (oaKey, else callerNumber + category, "
            "within 4 hours) or files a new one. Explicit category / escalationReason / "
            "confidence override the note's lines. Returns created, ticketId, ticketUrl, the "
            "category, escalationReason and confidence used, and echo {oaKey, callerNumber}."
            + ERRORS
            + ", DEDUP_IN_PROGRESS (retry in a second)."
        ),
    }


def tool_annotations() -> dict[str, ToolAnnotations]:
    """Hints for clients deciding what to confirm or retry: only render_note is read-only and
    idempotent; nothing deletes or overwrites. find-or-create and the hand-off are idempotent
    only when the caller passes a dedup key (oaKey / callerNumber), so they do not claim it."""
    return {
        CREATE_TICKET: ToolAnnotations(
            title="Create a new ticket",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
        APPEND_NOTE: ToolAnnotations(
            title="Append a note to a ticket",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
        FIND_OR_CREATE_TICKET: ToolAnnotations(
            title="Find or create the ticket for a problem",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
        RENDER_NOTE: ToolAnnotations(
            title="Render the 4-line hand-off note",
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        ),
        OA_HANDOFF: ToolAnnotations(
            title="Hand the caller over (note -> ticket)",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
    }
