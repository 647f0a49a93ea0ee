"""One input table through both transports, in process: the webhook (``POST /ingest/oa-handoff``
on the Litestar test client) and the MCP tools (the SDK's in-process client) accept and refuse
the same values with the same words. The webhook's normalising behaviour is the rule: a caller
number with spaces or dots is normalised, an empty oaKey or source means absent, unknown fields
are ignored, ``null`` means absent.

Each case runs the hand-off (webhook body = ``oa_handoff`` arguments) and, where the fields are
shared, ``find_or_create_ticket`` and ``create_ticket`` with the same fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from mcp import Client

from domain.errors import too_long, too_short
from domain.note import CONFIDENCE_MESSAGE
from domain.phone import E164_MESSAGE
from entrypoints.http.app import create_app
from entrypoints.mcp.server import create_mcp_server
from tests.integration.mcp_support import NAMES, container_for

TOKEN = "input-rules-token"
NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: No WiFi at home\nConfidence: 0.85"
DESCRIPTION = "Caller has had no WiFi at home since this morning"
CREATE_FIELDS = {"category", "escalationReason", "callerNumber", "source"}
ABSENT = object()  # the case leaves the field out
NOT_A_STRING = "Expected string, received number"
BAD_CATEGORY = (
    "Invalid enum value. Expected 'Outage' | 'WiFi' | 'CGNAT' | 'Wiring' | 'EquipmentReturn' | "
    "'Unknown', received 'Internet'"
)
BAD_REASON = (
    "Invalid enum value. Expected 'CallerRequested' | 'TwoStepsNoResolve' | 'OutOfScope' | "
    "'SafetyRisk' | 'BillingOrAccount' | 'Other', received 'Sometimes'"
)
NOT_FOUR_LINES = (
    "note must be 4 lines: 'Category: ...', 'Reason: ...', 'Summary: ...', 'Confidence: ...'"
)

# (id, fields on top of a valid input, echo when accepted | {field: [messages]} when refused)
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("caller-with-spaces", {"callerNumber": "+1 415 555 2671"}, {"callerNumber": "+14155552671"}),
    ("caller-with-dots", {"callerNumber": "+1.415.555.2671"}, {"callerNumber": "+14155552671"}),
    ("caller-empty", {"callerNumber": ""}, {"callerNumber": None}),
    ("caller-not-e164", {"callerNumber": "555-1234"}, {"callerNumber": [E164_MESSAGE]}),
    ("caller-no-plan", {"callerNumber": "+99912345678"}, {"callerNumber": [E164_MESSAGE]}),
    ("caller-too-long", {"callerNumber": "+1" + "5" * 40}, {"callerNumber": [too_long(32)]}),
    ("oakey-empty", {"oaKey": ""}, {"oaKey": None}),
    ("oakey-kept", {"oaKey": "conv-42"}, {"oaKey": "conv-42"}),
    ("oakey-too-long", {"oaKey": "k" * 129}, {"oaKey": [too_long(128)]}),
    ("oakey-number", {"oaKey": 12}, {"oaKey": [NOT_A_STRING]}),
    ("source-empty", {"source": ""}, {}),
    ("source-too-long", {"source": "s" * 65}, {"source": [too_long(64)]}),
    ("category-unknown", {"category": "Internet"}, {"category": [BAD_CATEGORY]}),
    ("category-null", {"category": None}, {}),
    ("reason-unknown", {"escalationReason": "Sometimes"}, {"escalationReason": [BAD_REASON]}),
    ("confidence-number", {"confidence": 0.5}, {"confidence": [NOT_A_STRING]}),
    ("confidence-above-one", {"confidence": "1.5"}, {"confidence": [CONFIDENCE_MESSAGE]}),
    ("unknown-field", {"priority": "high"}, {}),
    (
        "two-bad-fields",
        {"callerNumber": "555-1234", "category": "Internet"},
        {"callerNumber": [E164_MESSAGE], "category": [BAD_CATEGORY]},
    ),
    # The hand-off's own field: the note.
    ("note-missing", {"note": ABSENT}, {"note": ["Required"]}),
    ("note-too-short", {"note": "short"}, {"note": [too_short(10)]}),
    ("note-too-long", {"note": NOTE + "x" * 350}, {"note": [too_long(350)]}),
    ("note-number", {"note": 42}, {"note": [NOT_A_STRING]}),
    ("note-not-four-lines", {"note": "Not a four line note at all"}, {"note": [NOT_FOUR_LINES]}),
]  # fmt: skip


def refused(expected: dict[str, Any]) -> bool:
    return any(isinstance(value, list) for value in expected.values())


def with_fields(base: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **fields}
    return {name: value for name, value in merged.items() if value is not ABSENT}


async def through_webhook(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    container = container_for(AUTH_TOKEN=TOKEN, RATE_LIMIT_PER_SECOND="1000")
    async with AsyncTestClient(create_app(container)) as client:
        answer = await client.post("/ingest/oa-handoff", json=body, headers={"x-auth-token": TOKEN})
    return answer.status_code, answer.json()


async def through_tool(tool: str, arguments: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    async with Client(create_mcp_server(container_for())) as client:
        result = await client.call_tool(NAMES[tool], arguments)
    if result.is_error:
        return False, json.loads(result.content[0].text)  # type: ignore[union-attr]
    return True, dict(result.structured_content or {})


@pytest.mark.parametrize(
    ("fields", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
async def test_the_webhook_and_the_hand_off_tool_agree(
    fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    arguments = with_fields({"note": NOTE}, fields)
    status, body = await through_webhook(arguments)
    accepted, output = await through_tool("oa_handoff", arguments)
    if refused(expected):
        details = {field: {"_errors": messages} for field, messages in expected.items()}
        assert (status, body["code"], body["details"]) == (400, "VALIDATION_ERROR", details)
        assert (accepted, output["code"], output["details"]) == (False, "VALIDATION_ERROR", details)
        for messages in expected.values():
            assert all(message in output["message"] for message in messages)
    else:
        assert status == 200, body
        assert accepted, output
        assert {name: output[name] for name in ("created", "ticketId", "category")} == {
            name: body[name] for name in ("created", "ticketId", "category")
        }
        assert (output["escalationReason"], output["confidence"]) == (
            body["escalationReason"],
            body["confidence"],
        )
        assert output["echo"] == body["echo"]
        assert {**body["echo"], **expected} == body["echo"]


# The same fields through the tools that share them (create_ticket has no oaKey / confidence).
SHARED = [
    pytest.param(tool, fields, expected, id=f"{tool}-{name}")
    for tool, accepted_fields in [
        ("find_or_create_ticket", None),
        ("create_ticket", CREATE_FIELDS | {"priority"}),
    ]
    for name, fields, expected in CASES
    if "note" not in fields and (accepted_fields is None or set(fields) <= accepted_fields)
]


@pytest.mark.parametrize(("tool", "fields", "expected"), SHARED)
async def test_the_tools_sharing_the_fields_agree(
    tool: str, fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    accepted, output = await through_tool(tool, with_fields({"description": DESCRIPTION}, fields))
    if refused(expected):
        details = {field: {"_errors": messages} for field, messages in expected.items()}
        assert (accepted, output["code"], output["details"]) == (False, "VALIDATION_ERROR", details)
    else:
        assert accepted, output
        assert output["ticketId"] == "TKT-1000"
