"""The rule table: every input case, decoded from JSON bytes (the webhook) and from an arguments
mapping (an MCP tool), then run by its use case on the in-memory adapters - one outcome, with
the case's default phone region given to both the wire decoding and the use case."""

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
from application.filing.ticket_filing import TicketFiling
from application.use_cases.append_note import AppendNote, AppendNoteCommand
from application.use_cases.create_ticket import CreateTicket, CreateTicketCommand
from application.use_cases.find_or_create_ticket import (
    FindOrCreateTicket,
    FindOrCreateTicketCommand,
)
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from application.use_cases.render_note import RenderNote, RenderNoteCommand
from domain.dedup import DedupPolicy
from domain.errors import InvalidInput
from domain.note import SUMMARY_MAX_CHARS, Note, summary_problem
from domain.taxonomy import CATEGORY_VALUES, REASON_VALUES
from entrypoints.wire.decoding import decode
from tests.support.answer_cases import ROWS
from tests.support.input_cases import NOTE, TEXT, Errors

Run = Callable[[Any], Awaitable[object]]


def use_cases(region: str | None = None) -> dict[type[msgspec.Struct], Run]:
    """Each command's use case on fresh in-memory adapters."""
    clock = ManualClock()
    helpdesk = MockHelpdesk(clock)
    filing = TicketFiling(helpdesk, MemoryTicketIndex(clock), clock, DedupPolicy())
    return {
        OaHandoffCommand: OaHandoff(filing, phone_region=region).execute,
        FindOrCreateTicketCommand: FindOrCreateTicket(filing, phone_region=region).execute,
        CreateTicketCommand: CreateTicket(helpdesk, phone_region=region).execute,
        AppendNoteCommand: AppendNote(helpdesk).execute,
        RenderNoteCommand: RenderNote().execute,
    }


async def outcome(
    kind: type[msgspec.Struct], data: bytes | dict[str, Any], region: str | None
) -> Errors:
    """None when the input is taken, else the refusal's field errors."""
    runs = use_cases(region)
    await runs[CreateTicketCommand](CreateTicketCommand(description=TEXT))
    try:
        await runs[kind](decode(kind, data, phone_region=region))
    except InvalidInput as error:
        return error.field_errors
    return None


@pytest.mark.parametrize(
    ("kind", "data", "expected", "region"), [c[1:] for c in ROWS], ids=[c[0] for c in ROWS]
)
async def test_each_input_gets_one_outcome_from_bytes_and_from_a_mapping(
    kind: type[msgspec.Struct], data: dict[str, Any], expected: Errors, region: str | None
) -> None:
    assert await outcome(kind, json.dumps(data).encode(), region) == expected
    assert await outcome(kind, data, region) == expected


@pytest.mark.parametrize(
    ("document", "received"), [([], "array"), ("note", "string"), (None, "null"), (3, "number")]
)
def test_a_document_that_is_no_object_is_one_form_error(document: Any, received: str) -> None:
    for data in (json.dumps(document).encode(), document):
        with pytest.raises(InvalidInput) as error:
            decode(OaHandoffCommand, data)
        assert error.value.field_errors == {"_errors": [f"Expected object, received {received}"]}


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


@given(
    st.text(max_size=300),
    st.sampled_from([None, *CATEGORY_VALUES]),
    st.sampled_from([None, *REASON_VALUES]),
    st.none() | st.floats(min_value=0, max_value=1) | st.sampled_from(["0.85", "1", ""]),
)
def test_any_summary_becomes_a_valid_note_or_is_refused_by_name(
    summary: str, category: str | None, reason: str | None, confidence: float | str | None
) -> None:
    data: dict[str, Any] = {"summary": summary, "category": category, "escalationReason": reason}
    data["confidence"] = confidence
    clock = ManualClock()
    filing = TicketFiling(MockHelpdesk(clock), MemoryTicketIndex(clock), clock, DedupPolicy())
    refusal: Errors = None
    try:
        problem = OaHandoff(filing).resolve(decode(OaHandoffCommand, data))
    except InvalidInput as error:
        refusal = error.field_errors
    if refusal is not None:  # only a summary the render-note rules refuse
        assert set(refusal) == {"summary"}
        assert summary_problem(summary.strip()) or not 1 <= len(summary) <= SUMMARY_MAX_CHARS
        return
    note = Note.parse(problem.body)  # the note rules: shape, limits, confidence form
    assert problem.body == note.render()
    assert note.summary == problem.summary == summary.strip()
    assert (note.category, note.reason) == (problem.category, problem.reason)
    assert note.confidence == problem.confidence
    assert category is None or problem.category == category
    assert reason is None or problem.reason == reason
