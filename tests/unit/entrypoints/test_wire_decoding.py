"""The wire both transports share: the input schemas a client reads say what ``decode``
enforces, JSON bytes and a parsed mapping decode alike, and a hand-off maps to the spec's body."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.filing.ticket_filing import FiledTicket, Problem
from application.inputs.fields import spoken_duration
from application.inputs.lenient import one_of
from application.use_cases.append_note import AppendNoteCommand
from application.use_cases.create_ticket import CreateTicketCommand
from application.use_cases.find_or_create_ticket import FindOrCreateTicketCommand
from application.use_cases.oa_handoff import OaHandoffCommand
from application.use_cases.render_note import RenderNoteCommand
from domain.errors import InvalidInput, too_long, too_short
from domain.phone import CallerNumber
from domain.taxonomy import Category, EscalationReason
from domain.ticket import TicketRef
from entrypoints.wire.bodies import handoff_response
from entrypoints.wire.decoding import decode, input_schema
from tests.support.input_cases import json_values

NOTE = (
    "Category: WiFi\nReason: CallerRequested\nSummary: Customer unable to connect to WiFi\n"
    "Confidence: 0.85"
)
TEXT = "Customer unable to connect to WiFi after a reset"
VALID: dict[type[msgspec.Struct], dict[str, Any]] = {
    OaHandoffCommand: {"note": NOTE},
    FindOrCreateTicketCommand: {"description": TEXT},
    CreateTicketCommand: {"description": TEXT},
    AppendNoteCommand: {"ticketId": "TKT-1000", "note": TEXT},
    RenderNoteCommand: {
        "category": "WiFi",
        "escalationReason": "Other",
        "summary": "s",
        "confidence": "0.5",
    },
}
COMMANDS = list(VALID)


def keywords(node: Any) -> set[str]:
    """Every key used anywhere in a schema, property names excluded."""
    if isinstance(node, list):
        return set().union(*(keywords(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = set(node)
    for key, value in node.items():
        if key == "properties":
            found |= set().union(*(keywords(prop) for prop in value.values()))
        else:
            found |= keywords(value)
    return found


@pytest.mark.parametrize("kind", COMMANDS)
def test_input_schemas_are_written_the_way_every_client_reads_them(
    kind: type[msgspec.Struct],
) -> None:
    schema = input_schema(kind)
    assert schema["type"] == "object"
    assert not keywords(schema) & {"$ref", "$defs", "anyOf", "title"}
    required = [f.encode_name for f in msgspec.structs.fields(kind) if f.required]
    assert schema["required"] == required
    for prop in schema["properties"].values():
        assert prop["description"]
        assert prop["type"] in ("string", "object")


def limit_cases() -> list[tuple[type[msgspec.Struct], str, str, str]]:
    """(command, field, value just past a limit, the refusal) for every limit a schema states
    (a field of a one-of choice, such as the hand-off's summary, in place of the others)."""
    cases = []
    for kind in COMMANDS:
        for name, prop in input_schema(kind)["properties"].items():
            if prop["type"] != "string":
                continue
            if "maxLength" in prop:
                limit = prop["maxLength"]
                cases.append((kind, name, "x" * (limit + 1), too_long(limit)))
            if prop.get("minLength", 0) > 0:
                limit = prop["minLength"]
                cases.append((kind, name, "x" * (limit - 1), too_short(limit)))
    return cases


@pytest.mark.parametrize(("kind", "field", "value", "message"), limit_cases())
def test_every_limit_a_schema_states_is_the_one_decode_enforces(
    kind: type[msgspec.Struct], field: str, value: str, message: str
) -> None:
    others = one_of(kind)
    valid = {name: v for name, v in VALID[kind].items() if field not in others or name != others[0]}
    with pytest.raises(InvalidInput) as error:
        decode(kind, {**valid, field: value})
    assert error.value.field_errors == {field: [message]}


def test_the_spec_fields_are_camel_case_on_the_wire() -> None:
    properties = input_schema(OaHandoffCommand)["properties"]
    assert " ".join(properties) == (
        "note summary category escalationReason confidence callerNumber oaKey source"
    )
    assert "pattern" not in properties["callerNumber"]  # normalised, not matched


known_names = st.sampled_from(
    sorted({f.encode_name for kind in COMMANDS for f in msgspec.structs.fields(kind)})
)
valid_values = st.sampled_from([NOTE, TEXT, "WiFi", "Other", "0.85", "+12345678900", "TKT-1000"])


def decoded(kind: type[msgspec.Struct], data: bytes | dict[str, Any]) -> object:
    try:
        return decode(kind, data)
    except InvalidInput as error:
        return error.field_errors


@settings(max_examples=300)
@given(
    st.sampled_from(COMMANDS),
    st.dictionaries(known_names | st.text(max_size=6), json_values | valid_values, max_size=6),
)
def test_bytes_and_a_mapping_decode_alike(kind: type[msgspec.Struct], data: dict[str, Any]) -> None:
    assert decoded(kind, json.dumps(data).encode()) == decoded(kind, data)


def test_a_hand_off_maps_to_the_spec_body() -> None:
    result = FiledTicket(
        created=False,
        ticket=TicketRef(
            id="TKT-1000", url="https://helpdesk.example.com/tickets/1000", created_at=0.0
        ),
        problem=Problem(
            category=Category.WIFI,
            reason=EscalationReason.CALLER_REQUESTED,
            summary="Customer unable to connect to WiFi",
            body=NOTE,
            confidence="0.85",
            caller_number=CallerNumber("+14155552671"),
            oa_key="oa-1",
            source="Webhook",
        ),
    )
    say = "Your ticket number is TKT-1000."
    assert msgspec.json.decode(msgspec.json.encode(handoff_response(result, say))) == {
        "status": "ok",
        "created": False,
        "ticketId": "TKT-1000",
        "ticketUrl": "https://helpdesk.example.com/tickets/1000",
        "category": "WiFi",
        "escalationReason": "CallerRequested",
        "confidence": "0.85",
        "echo": {"oaKey": "oa-1", "callerNumber": "+14155552671"},
        "say": say,
    }


@pytest.mark.parametrize(
    ("seconds", "spoken"),
    [
        (14_400, "4 hours"),
        (3_600, "1 hour"),
        (900, "15 minutes"),
        (60, "1 minute"),
        (90, "90 seconds"),
        (1, "1 second"),
        (0.5, "0.5 seconds"),
    ],
)
def test_windows_read_as_written_by_hand(seconds: float, spoken: str) -> None:
    assert spoken_duration(seconds) == spoken
