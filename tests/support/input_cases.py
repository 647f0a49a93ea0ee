"""Input cases with the one outcome every transport must give them: the webhook (JSON bytes, for
``OaHandoffCommand``) and each MCP tool (an arguments mapping, for its command).

A row is ``(name, command, input, field errors)``; ``None`` means the input is taken. The errors
are ``InvalidInput.field_errors``: on the wire, ``details`` is ``{field: {"_errors": [...]}}``.
Case ``a follow-up`` expects ticket ``TKT-1000`` to exist (the first ticket the mock files).
``CASES`` run on default settings; tests/support/answer_cases.py adds the regional ones and the
answers.
"""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import strategies as st

from application.inputs.fields import (
    MAX_AUTHOR_CHARS,
    MAX_CALLER_NUMBER_CHARS,
    MAX_KEY_CHARS,
    MAX_METADATA_ENTRIES,
    MAX_METADATA_VALUE_CHARS,
    MAX_SOURCE_CHARS,
)
from application.use_cases.append_note import AppendNoteCommand
from application.use_cases.create_ticket import CreateTicketCommand
from application.use_cases.find_or_create_ticket import FindOrCreateTicketCommand
from application.use_cases.oa_handoff import OaHandoffCommand
from application.use_cases.render_note import RenderNoteCommand
from domain.errors import too_long, too_short
from domain.note import (
    CONFIDENCE_MESSAGE,
    CONFIDENCE_RANGE_MESSAGE,
    FREE_TEXT_MIN_CHARS,
    NOTE_FORMAT_MESSAGE,
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
    SUMMARY_MAX_CHARS,
)
from domain.phone import E164_MESSAGE
from domain.taxonomy import CATEGORY_VALUES

NOTE = (
    "Category: WiFi\nReason: CallerRequested\nSummary: Customer unable to connect to WiFi\n"
    "Confidence: 0.85"
)
TEXT = "Customer unable to connect to WiFi after a reset"
REGION = "US"
NATIONAL = "(415) 555-2671"  # +14155552671 in the US
BOTH = "give note or summary, not both"
CATEGORY_CHOICES = " | ".join(f"'{v}'" for v in CATEGORY_VALUES)
Errors = dict[str, list[str]] | None

# Any JSON value (no NaN or infinity: JSON has none), a few levels deep.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)

# Short names, so most cases fit on one line.
H, F, C, A, R = (
    OaHandoffCommand,
    FindOrCreateTicketCommand,
    CreateTicketCommand,
    AppendNoteCommand,
    RenderNoteCommand,
)
RENDER = {"category": "WiFi", "escalationReason": "Other", "summary": "s", "confidence": "0.5"}
CASES: list[tuple[str, type[msgspec.Struct], dict[str, Any], Errors]] = [
    ("a plain hand-off", H, {"note": NOTE}, None),
    (
        "a spaced caller number is normalised",
        H,
        {"note": NOTE, "callerNumber": "+1 415 555 2671"},
        None,
    ),
    (
        "empty keys mean absent",
        H,
        {"note": NOTE, "oaKey": "", "source": "", "callerNumber": ""},
        None,
    ),
    ("null means absent", H, {"note": NOTE, "category": None, "oaKey": None}, None),
    ("unknown fields are ignored", H, {"note": NOTE, "agentId": 7}, None),
    ("no note", H, {}, {"note": ["Required"]}),
    ("a null note", H, {"note": None}, {"note": ["Required"]}),
    ("a short note", H, {"note": "short"}, {"note": [too_short(NOTE_MIN_CHARS)]}),
    ("a long note", H, {"note": "x" * (NOTE_MAX_CHARS + 1)}, {"note": [too_long(NOTE_MAX_CHARS)]}),
    (
        "a note of the wrong shape",
        H,
        {"note": "no four lines here"},
        {"note": [NOTE_FORMAT_MESSAGE]},
    ),
    (
        "a number for a string",
        H,
        {"note": NOTE, "oaKey": 5},
        {"oaKey": ["Expected string, received number"]},
    ),
    ("a confidence as a number", H, {"note": NOTE, "confidence": 0.5}, None),
    ("a confidence of 1 as an integer", H, {"note": NOTE, "confidence": 1}, None),
    (
        "a confidence number out of range",
        H,
        {"note": NOTE, "confidence": 1.5},
        {"confidence": [CONFIDENCE_RANGE_MESSAGE]},
    ),
    (
        "a boolean for a confidence",
        H,
        {"note": NOTE, "confidence": True},
        {"confidence": ["Expected string, received boolean"]},
    ),
    (
        "empty optional fields mean absent",
        H,
        {"note": NOTE, "category": "", "escalationReason": "", "confidence": ""},
        None,
    ),
    (
        "a summary in place of the note",
        H,
        {"summary": TEXT, "category": "WiFi", "escalationReason": "Other", "confidence": 0.85},
        None,
    ),
    ("a summary alone", H, {"summary": TEXT, "callerNumber": ""}, None),
    (
        "a note and a summary",
        H,
        {"note": NOTE, "summary": TEXT},
        {"note": [BOTH], "summary": [BOTH]},
    ),
    (
        "a note, a summary and a bad field",
        H,
        {"note": NOTE, "summary": TEXT, "oaKey": 5},
        {"note": [BOTH], "summary": [BOTH], "oaKey": ["Expected string, received number"]},
    ),
    (
        "no note and a bad field",
        H,
        {"oaKey": 5},
        {"note": ["Required"], "oaKey": ["Expected string, received number"]},
    ),
    ("an empty summary", H, {"summary": ""}, {"summary": [too_short(1)]}),
    (
        "a two-line summary",
        H,
        {"summary": "one\ntwo"},
        {"summary": ["summary must be a single line"]},
    ),
    (
        "a long summary",
        H,
        {"summary": "s" * (SUMMARY_MAX_CHARS + 1)},
        {"summary": [too_long(SUMMARY_MAX_CHARS)]},
    ),
    (
        "a summary and a confidence out of range",
        H,
        {"summary": TEXT, "confidence": -0.1, "callerNumber": "12345"},
        {"confidence": [CONFIDENCE_RANGE_MESSAGE], "callerNumber": [E164_MESSAGE]},
    ),
    (
        "a national number without a default region",
        H,
        {"note": NOTE, "callerNumber": NATIONAL},
        {"callerNumber": [E164_MESSAGE]},
    ),
    (
        "confidence out of range",
        H,
        {"note": NOTE, "confidence": "1.5"},
        {"confidence": [CONFIDENCE_MESSAGE]},
    ),
    (
        "an unknown category",
        H,
        {"note": NOTE, "category": "Internet"},
        {"category": [f"Invalid enum value. Expected {CATEGORY_CHOICES}, received 'Internet'"]},
    ),
    ("no such phone", H, {"note": NOTE, "callerNumber": "12345"}, {"callerNumber": [E164_MESSAGE]}),
    (
        "an over-long caller number",
        H,
        {"note": NOTE, "callerNumber": "+1" * MAX_CALLER_NUMBER_CHARS},
        {"callerNumber": [too_long(MAX_CALLER_NUMBER_CHARS)]},
    ),
    (
        "an over-long oaKey",
        H,
        {"note": NOTE, "oaKey": "k" * (MAX_KEY_CHARS + 1)},
        {"oaKey": [too_long(MAX_KEY_CHARS)]},
    ),
    (
        "an over-long source",
        H,
        {"note": NOTE, "source": "s" * (MAX_SOURCE_CHARS + 1)},
        {"source": [too_long(MAX_SOURCE_CHARS)]},
    ),
    (
        "every bad field at once",
        H,
        {"note": "no four lines here", "escalationReason": 3, "callerNumber": "+1"},
        {
            "note": [NOTE_FORMAT_MESSAGE],
            "escalationReason": ["Expected string, received number"],
            "callerNumber": [E164_MESSAGE],
        },
    ),
    ("free text", F, {"description": TEXT, "oaKey": "", "callerNumber": "+1 (415) 555-2671"}, None),
    (
        "free text with a model's confidence and blanks",
        F,
        {"description": TEXT, "confidence": 0.85, "category": "", "source": ""},
        None,
    ),
    ("a note-shaped description", F, {"description": NOTE}, None),
    (
        "a broken note-shaped description",
        F,
        {"description": "Category: WiFi, nothing else"},
        {"description": [NOTE_FORMAT_MESSAGE]},
    ),
    (
        "a short description",
        F,
        {"description": "short"},
        {"description": [too_short(FREE_TEXT_MIN_CHARS)]},
    ),
    ("metadata", C, {"description": TEXT, "metadata": {"modem": "SB8200"}}, None),
    (
        "too much metadata",
        C,
        {"description": TEXT, "metadata": {str(i): "v" for i in range(MAX_METADATA_ENTRIES + 1)}},
        {"metadata": [f"Object must contain at most {MAX_METADATA_ENTRIES} key(s)"]},
    ),
    (
        "a long metadata value",
        C,
        {"description": TEXT, "metadata": {"k": "v" * (MAX_METADATA_VALUE_CHARS + 1)}},
        {"metadata": [too_long(MAX_METADATA_VALUE_CHARS)]},
    ),
    (
        "a number as metadata value",
        C,
        {"description": TEXT, "metadata": {"k": 1}},
        {"metadata": ["Expected string, received number"]},
    ),
    ("a follow-up", A, {"ticketId": "TKT-1000", "note": TEXT, "author": ""}, None),
    ("no ticket id", A, {"note": TEXT}, {"ticketId": ["Required"]}),
    ("an empty ticket id", A, {"ticketId": "", "note": TEXT}, {"ticketId": [too_short(1)]}),
    (
        "a blank ticket id",
        A,
        {"ticketId": "  ", "note": TEXT},
        {"ticketId": ["ticketId is required"]},
    ),
    (
        "an over-long author",
        A,
        {"ticketId": "TKT-1000", "note": TEXT, "author": "a" * (MAX_AUTHOR_CHARS + 1)},
        {"author": [too_long(MAX_AUTHOR_CHARS)]},
    ),
    ("a note's parts", R, RENDER, None),
    (
        "a two-line summary",
        R,
        {**RENDER, "summary": "one\ntwo"},
        {"summary": ["summary must be a single line"]},
    ),
    ("an empty summary", R, {**RENDER, "summary": ""}, {"summary": [too_short(1)]}),
    (
        "a blank summary",
        R,
        {**RENDER, "summary": "   "},
        {"summary": ["summary must not be empty"]},
    ),
    ("no confidence", R, {**RENDER, "confidence": None}, {"confidence": ["Required"]}),
    ("a confidence number for the parts", R, {**RENDER, "confidence": 0.25}, None),
    (
        "an empty confidence is no confidence for the parts",
        R,
        {**RENDER, "confidence": ""},
        {"confidence": [CONFIDENCE_MESSAGE]},
    ),
]
