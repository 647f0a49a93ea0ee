"""The rule table: every input case, decoded from JSON bytes (the webhook) and from an arguments
mapping (an MCP tool), then run by its use case on the in-memory adapters - one outcome."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.stores.memory import MemoryTicketIndex
from application.append_note import AppendNote, AppendNoteCommand
from application.create_ticket import CreateTicket, CreateTicketCommand
from application.fields import (
    MAX_AUTHOR_CHARS,
    MAX_CALLER_NUMBER_CHARS,
    MAX_KEY_CHARS,
    MAX_METADATA_ENTRIES,
    MAX_METADATA_VALUE_CHARS,
    MAX_SOURCE_CHARS,
)
from application.find_or_create_ticket import FindOrCreateTicket, FindOrCreateTicketCommand
from application.oa_handoff import OaHandoff, OaHandoffCommand
from application.render_note import RenderNote, RenderNoteCommand
from application.ticket_filing import TicketFiling
from domain.dedup import DedupPolicy
from domain.errors import InvalidInput, too_long, too_short
from domain.note import (
    CONFIDENCE_MESSAGE,
    FREE_TEXT_MIN_CHARS,
    NOTE_FORMAT_MESSAGE,
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
)
from domain.phone import E164_MESSAGE
from domain.taxonomy import CATEGORY_VALUES
from entrypoints.boundary import decode

NOTE = (
    "Category: WiFi\nReason: CallerRequested\nSummary: Customer unable to connect to WiFi\n"
    "Confidence: 0.85"
)
TEXT = "Customer unable to connect to WiFi after a reset"
CATEGORY_CHOICES = " | ".join(f"'{v}'" for v in CATEGORY_VALUES)
Errors = dict[str, list[str]] | None
Run = Callable[[Any], Awaitable[object]]


def use_cases() -> dict[type[msgspec.Struct], Run]:
    """Each command's use case on fresh in-memory adapters (ticket TKT-1000 already filed)."""
    clock = ManualClock()
    helpdesk = MockHelpdesk(clock)
    filing = TicketFiling(helpdesk, MemoryTicketIndex(clock), clock, DedupPolicy())
    return {
        OaHandoffCommand: OaHandoff(filing).execute,
        FindOrCreateTicketCommand: FindOrCreateTicket(filing).execute,
        CreateTicketCommand: CreateTicket(helpdesk).execute,
        AppendNoteCommand: AppendNote(helpdesk).execute,
        RenderNoteCommand: RenderNote().execute,
    }


async def outcome(kind: type[msgspec.Struct], data: bytes | dict[str, Any]) -> Errors:
    """None when the input is taken, else the refusal's field errors."""
    runs = use_cases()
    await runs[CreateTicketCommand](CreateTicketCommand(description=TEXT))
    try:
        await runs[kind](decode(kind, data))
    except InvalidInput as error:
        return error.field_errors
    return None


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
        {"note": NOTE, "confidence": 0.5},
        {"confidence": ["Expected string, received number"]},
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
]


@pytest.mark.parametrize(
    ("kind", "data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_each_input_gets_one_outcome_from_bytes_and_from_a_mapping(
    kind: type[msgspec.Struct], data: dict[str, Any], expected: Errors
) -> None:
    assert await outcome(kind, json.dumps(data).encode()) == expected
    assert await outcome(kind, data) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[]", "Expected object, received array"),
        (b'"note"', "Expected object, received string"),
        (b"null", "Expected object, received null"),
    ],
)
def test_a_document_that_is_no_object_is_one_form_error(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        decode(OaHandoffCommand, raw)
    assert error.value.field_errors == {"_errors": [message]}


def test_malformed_json_is_one_form_error() -> None:
    with pytest.raises(InvalidInput) as error:
        decode(OaHandoffCommand, b'{"note": ')
    (message,) = error.value.field_errors["_errors"]
    assert message.startswith("Malformed JSON body")


def test_a_key_given_twice_counts_once_with_its_last_value() -> None:
    body = b'{"note": 5, "note": ' + json.dumps(NOTE).encode() + b"}"
    assert decode(OaHandoffCommand, body) == decode(OaHandoffCommand, {"note": NOTE})


text_fields = st.sampled_from(["note", "confidence", "callerNumber", "oaKey", "source"])


@given(st.dictionaries(text_fields, st.text(max_size=60)), st.booleans())
def test_any_text_in_any_field_is_taken_or_refused_by_name(
    fields: dict[str, str], note_shaped: bool
) -> None:
    data: dict[str, Any] = {"note": NOTE} if note_shaped else {}
    data.update(fields)
    clock = ManualClock()
    filing = TicketFiling(MockHelpdesk(clock), MemoryTicketIndex(clock), clock, DedupPolicy())
    errors: dict[str, list[str]] = {}
    try:
        OaHandoff(filing).resolve(decode(OaHandoffCommand, data))
    except InvalidInput as error:
        errors = error.field_errors
    assert set(errors) <= {"note", "confidence", "callerNumber", "oaKey", "source"}
    assert all(errors.values())
