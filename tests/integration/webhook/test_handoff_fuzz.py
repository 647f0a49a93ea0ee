"""Whatever a caller sends, the hand-off answers 200 or a 400 envelope, never a 500 - and the
same verdict, word for word, as the wire decoding gives those fields as an MCP tool's arguments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.stores.memory import MemoryTicketIndex
from application.filing.ticket_filing import TicketFiling
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from domain.dedup import DedupPolicy
from domain.errors import InvalidInput
from entrypoints.bootstrap.container import build_container
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app
from entrypoints.wire.decoding import decode
from tests.support.input_cases import json_values

HEADERS = {"x-auth-token": "fuzz", "content-type": "application/json"}
FIELDS = ["note", "category", "escalationReason", "confidence", "callerNumber", "oaKey", "source"]
NOTE_LINES = st.sampled_from(["Category", "Reason", "Summary", "Confidence", "Other", ""])

note_like = st.builds(
    lambda parts: "\n".join(f"{label}: {value}" for label, value in parts),
    st.lists(st.tuples(NOTE_LINES, st.text(max_size=80)), max_size=5),
)
field_values = st.one_of(
    json_values,
    note_like,
    st.sampled_from(["WiFi", "Outage", "CallerRequested", "0.85", "1.5", "+12345678900", "+1"]),
)
payloads = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), field_values)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    env = {"AUTH_TOKEN": "fuzz", "RATE_LIMIT_PER_SECOND": "1000000"}
    app = service_app(build_container(load_settings(env, "/nonexistent/.env")))
    with TestClient(app) as test_client:
        yield test_client


def assert_answer(status: int, body: dict[str, Any]) -> None:
    assert status in (200, 400), body
    if status == 200:
        assert body["status"] == "ok"
        assert body["ticketId"].startswith("TKT-")
    else:
        assert body["status"] == "error"
        assert body["code"] == "VALIDATION_ERROR"
        assert body["details"]
        assert set(body) <= {"status", "code", "message", "details"}


def tool_verdict(arguments: dict[str, Any]) -> dict[str, Any] | None:
    """The refusal's ``details`` for these arguments decoded as a mapping (the MCP path), or
    None when the hand-off would be filed."""
    clock = ManualClock()
    filing = TicketFiling(MockHelpdesk(clock), MemoryTicketIndex(clock), clock, DedupPolicy())
    try:
        OaHandoff(filing).resolve(decode(OaHandoffCommand, arguments))
    except InvalidInput as error:
        return dict(error.details or {})
    return None


@settings(max_examples=150, deadline=None)
@given(payloads)
def test_any_json_object(client: TestClient[Any], payload: dict[str, Any]) -> None:
    answer = client.post("/ingest/oa-handoff", content=json.dumps(payload), headers=HEADERS)
    body = answer.json()
    assert_answer(answer.status_code, body)
    assert body.get("details") == tool_verdict(payload)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes(client: TestClient[Any], raw: bytes) -> None:
    answer = client.post("/ingest/oa-handoff", content=raw, headers=HEADERS)
    assert_answer(answer.status_code, answer.json())
