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
from application.find_or_create_ticket import FindOrCreateTicket, FindOrCreateTicketCommand
from application.oa_handoff import OaHandoff, OaHandoffCommand
from application.render_note import RenderNote, RenderNoteCommand
from application.ticket_filing import TicketFiling
from domain.dedup import DedupPolicy
from domain.errors import InvalidInput
from entrypoints.boundary import decode
from tests.input_cases import CASES, NOTE, TEXT, Errors

Run = Callable[[Any], Awaitable[object]]


def use_cases() -> dict[type[msgspec.Struct], Run]:
    """Each command's use case on fresh in-memory adapters."""
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


@pytest.mark.parametrize(
    ("kind", "data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_each_input_gets_one_outcome_from_bytes_and_from_a_mapping(
    kind: type[msgspec.Struct], data: dict[str, Any], expected: Errors
) -> None:
    assert await outcome(kind, json.dumps(data).encode()) == expected
    assert await outcome(kind, data) == expected


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
