"""The shared input table (``tests/input_cases.py``) through both transports, in process: the
webhook (``POST /ingest/oa-handoff`` on the Litestar test client) and the MCP tools (the SDK's
in-process client) accept and refuse every case alike, with the same words. The webhook's
normalising behaviour is the rule: a caller number with spaces is normalised, an empty oaKey or
source means absent, unknown fields are ignored, ``null`` means absent.

Every row runs through its tool (on a server with the row's default phone region); a hand-off
row also through the webhook, and - when it is about the fields the hand-off shares with the
other filing tools - through find-or-create and create-ticket with a description in place of
the note. The LLM-shaped hand-offs of ``ANSWERS`` get the same answer fields from both, and
every filed answer carries the ``say`` sentence with its ticket number."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from mcp import Client

from adapters.clock import ManualClock
from application.append_note import AppendNoteCommand
from application.create_ticket import CreateTicketCommand
from application.fields import MAX_CALLER_NUMBER_CHARS, MAX_TICKET_ID_CHARS
from application.find_or_create_ticket import FindOrCreateTicketCommand
from application.oa_handoff import OaHandoffCommand
from application.ports import QueuedHandoff
from application.render_note import RenderNoteCommand
from application.ticket_status import NEITHER_MESSAGE
from domain.errors import FORM_ERRORS, too_long
from domain.phone import E164_MESSAGE
from entrypoints.container import Container
from entrypoints.http.app import create_app
from entrypoints.mcp.server import create_mcp_server
from tests.input_cases import ANSWERS, ROWS, TEXT, Errors
from tests.integration.mcp_support import NAMES, container_for

TOKEN = "input-rules-token"
TOOL_OF: dict[type[msgspec.Struct], str] = {
    OaHandoffCommand: "oa_handoff",
    FindOrCreateTicketCommand: "find_or_create_ticket",
    CreateTicketCommand: "create_ticket",
    AppendNoteCommand: "append_note",
    RenderNoteCommand: "render_note",
}
CREATE_FIELDS = {"category", "escalationReason", "callerNumber", "source"}


def details_of(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {field: {"_errors": messages} for field, messages in errors.items()}


def region_env(region: str | None) -> dict[str, str]:
    return {"DEFAULT_PHONE_REGION": region} if region else {}


async def through_webhook(
    body: dict[str, Any], region: str | None = None
) -> tuple[int, dict[str, Any]]:
    container = container_for(AUTH_TOKEN=TOKEN, RATE_LIMIT_PER_SECOND="1000", **region_env(region))
    async with AsyncTestClient(create_app(container)) as client:
        answer = await client.post("/ingest/oa-handoff", json=body, headers={"x-auth-token": TOKEN})
    return answer.status_code, answer.json()


async def through_tool(
    tool: str, arguments: dict[str, Any], region: str | None = None
) -> tuple[bool, dict[str, Any]]:
    """The tool's verdict on a fresh server (after filing TKT-1000, for the follow-up cases)."""
    async with Client(create_mcp_server(container_for(**region_env(region)))) as client:
        if tool == "append_note":
            await client.call_tool(NAMES["create_ticket"], {"description": TEXT})
        result = await client.call_tool(NAMES[tool], arguments)
    text = result.content[0]
    assert text.type == "text"
    if result.is_error:
        return False, json.loads(text.text)
    return True, dict(result.structured_content or {})


def assert_tool_verdict(accepted: bool, output: dict[str, Any], errors: Errors) -> None:
    if errors is None:
        assert accepted, output
        assert output["success"] is True
    else:
        assert not accepted, output
        assert (output["code"], output["details"]) == ("VALIDATION_ERROR", details_of(errors))
        for messages in errors.values():
            assert all(message in output["message"] for message in messages)


@pytest.mark.parametrize(
    ("command", "arguments", "errors", "region"),
    [case[1:] for case in ROWS],
    ids=[f"{TOOL_OF[case[1]]}: {case[0]}" for case in ROWS],
)
async def test_every_tool_gives_the_tables_verdict(
    command: type[msgspec.Struct], arguments: dict[str, Any], errors: Errors, region: str | None
) -> None:
    accepted, output = await through_tool(TOOL_OF[command], arguments, region)
    assert_tool_verdict(accepted, output, errors)


HANDOFFS = [case for case in ROWS if case[1] is OaHandoffCommand]


@pytest.mark.parametrize(
    ("arguments", "errors", "region"),
    [case[2:] for case in HANDOFFS],
    ids=[case[0] for case in HANDOFFS],
)
async def test_the_webhook_and_the_hand_off_tool_agree(
    arguments: dict[str, Any], errors: Errors, region: str | None
) -> None:
    status, body = await through_webhook(arguments, region)
    accepted, output = await through_tool("oa_handoff", arguments, region)
    assert_tool_verdict(accepted, output, errors)
    if errors is not None:
        assert (status, body["code"], body["details"]) == (
            400,
            "VALIDATION_ERROR",
            output["details"],
        )
        return
    assert status == 200, body
    shared = ("created", "ticketId", "ticketUrl", "category", "escalationReason", "confidence")
    assert {name: output[name] for name in shared} == {name: body[name] for name in shared}
    assert output["echo"] == body["echo"]
    assert output["say"] == body["say"]
    assert body["ticketId"] in body["say"]
    if str(arguments.get("callerNumber")).startswith("+"):  # normalised to E.164 by both
        assert output["echo"]["callerNumber"] == "+" + "".join(
            filter(str.isdigit, arguments["callerNumber"])
        )


@pytest.mark.parametrize(
    ("arguments", "region", "expected"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS]
)
async def test_llm_shaped_hand_offs_get_the_same_answer_from_both(
    arguments: dict[str, Any], region: str | None, expected: dict[str, Any]
) -> None:
    status, body = await through_webhook(arguments, region)
    accepted, output = await through_tool("oa_handoff", arguments, region)
    assert (status, accepted) == (200, True), (body, output)
    assert {name: body[name] for name in expected} == expected
    assert {name: output[name] for name in expected} == expected


# The hand-off rows about the shared fields, through the tools that have those fields too.
SHARED = [
    pytest.param(tool, {**arguments, "description": TEXT}, errors, region, id=f"{tool}: {name}")
    for tool, fields in [("find_or_create_ticket", None), ("create_ticket", CREATE_FIELDS)]
    for name, _, arguments, errors, region in HANDOFFS
    if "note" in arguments
    and "summary" not in arguments
    and (errors is None or "note" not in errors)
    and (fields is None or set(arguments) - {"note"} <= fields)
]


@pytest.mark.parametrize(("tool", "arguments", "errors", "region"), SHARED)
async def test_the_filing_tools_agree_on_the_shared_fields(
    tool: str, arguments: dict[str, Any], errors: Errors, region: str | None
) -> None:
    arguments = {name: value for name, value in arguments.items() if name != "note"}
    accepted, output = await through_tool(tool, arguments, region)
    assert_tool_verdict(accepted, output, errors)


# --- the ticket-status look-up: the route and the tool on one container, one input table -------

CALLER = "+14155552671"
REFERENCE = "HB-7KQ2MX"
# (name, arguments, field errors (None: taken), the ticket ids answered when taken)
STATUS_CASES: list[tuple[str, dict[str, Any], Errors, list[str]]] = [
    ("by phone, as spoken", {"callerNumber": "+1 (415) 555-2671"}, None, ["TKT-1001", "TKT-1000"]),
    ("by phone, nobody's", {"callerNumber": "+14155550100"}, None, []),
    ("by id", {"ticketId": "TKT-1000"}, None, ["TKT-1000"]),
    ("by id with a #", {"ticketId": " #TKT-1001"}, None, ["TKT-1001"]),
    (
        "the id wins over the number",
        {"callerNumber": CALLER, "ticketId": "TKT-1000"},
        None,
        ["TKT-1000"],
    ),
    ("an unknown id", {"ticketId": "TKT-4242"}, None, []),
    ("a queued reference, as typed", {"ticketId": "hb-7kq 2mx"}, None, [REFERENCE]),
    ("an unknown reference", {"ticketId": "HB-ZZZZZZ"}, None, []),
    ("unknown fields are ignored", {"ticketId": "TKT-1000", "agentId": 7}, None, ["TKT-1000"]),
    ("empty means absent", {"callerNumber": "", "ticketId": "TKT-1000"}, None, ["TKT-1000"]),
    ("neither", {}, {FORM_ERRORS: [NEITHER_MESSAGE]}, []),
    ("both empty", {"callerNumber": "", "ticketId": " "}, {FORM_ERRORS: [NEITHER_MESSAGE]}, []),
    ("both null", {"callerNumber": None, "ticketId": None}, {FORM_ERRORS: [NEITHER_MESSAGE]}, []),
    ("no such phone", {"callerNumber": "12345"}, {"callerNumber": [E164_MESSAGE]}, []),
    (
        "a bad number with an id",
        {"callerNumber": "+1", "ticketId": "TKT-1000"},
        {"callerNumber": [E164_MESSAGE]},
        [],
    ),
    (
        "an over-long caller number",
        {"callerNumber": "+1" * MAX_CALLER_NUMBER_CHARS},
        {"callerNumber": [too_long(MAX_CALLER_NUMBER_CHARS)]},
        [],
    ),
    (
        "an over-long ticketId",
        {"ticketId": "7" * (MAX_TICKET_ID_CHARS + 1)},
        {"ticketId": [too_long(MAX_TICKET_ID_CHARS)]},
        [],
    ),
    (
        "a number for a string",
        {"ticketId": 1000},
        {"ticketId": ["Expected string, received number"]},
        [],
    ),
]


def wire_details(errors: dict[str, list[str]]) -> dict[str, Any]:
    """``InvalidInput.details``: a form-level list, or ``{"_errors": [...]}`` per field."""
    return {f: (m if f == FORM_ERRORS else {"_errors": m}) for f, m in errors.items()}


async def status_container() -> Container:
    """Two tickets of CALLER (TKT-1000 WiFi, TKT-1001 Outage), one of another caller, and a
    hand-off queued as REFERENCE that no delivery attempt is due for; time stands still."""
    container = container_for(AUTH_TOKEN=TOKEN, RATE_LIMIT_PER_SECOND="1000")
    clock = ManualClock()
    container.clock.override(providers.Object(clock))
    for category, caller in (("WiFi", CALLER), ("Outage", CALLER), ("WiFi", "+14155550199")):
        note = f"Category: {category}\nReason: Other\nSummary: Trouble at home\nConfidence: 0.5"
        await container.oa_handoff().execute(OaHandoffCommand(note=note, caller_number=caller))
    await container.outbox().put(
        QueuedHandoff(
            reference=REFERENCE,
            problem=b"unreadable: the subject falls back to a generic one",
            dedup_keys=("oa:queued",),
            queued_at=clock.now(),
            next_attempt_at=clock.now() + 10**9,
        )
    )
    return container


@pytest.mark.parametrize(
    ("arguments", "errors", "ids"),
    [case[1:] for case in STATUS_CASES],
    ids=[case[0] for case in STATUS_CASES],
)
async def test_the_status_route_and_tool_give_the_same_answers(
    arguments: dict[str, Any], errors: Errors, ids: list[str]
) -> None:
    container = await status_container()
    async with (
        AsyncTestClient(create_app(container)) as http,
        Client(create_mcp_server(container)) as mcp,
    ):
        answer = await http.post(
            "/ingest/ticket-status", json=arguments, headers={"x-auth-token": TOKEN}
        )
        result = await mcp.call_tool(NAMES["get_ticket_status"], arguments)
        again = await mcp.call_tool(NAMES["get_ticket_status"], arguments)  # read-only: the same
    text = result.content[0]
    assert text.type == "text"
    output = json.loads(text.text)
    body = answer.json()
    if errors is not None:
        assert result.is_error, output
        assert (answer.status_code, body["code"], output["code"]) == (
            400,
            "VALIDATION_ERROR",
            "VALIDATION_ERROR",
        )
        assert body["details"] == output["details"] == wire_details(errors)
        for messages in errors.values():
            assert all(message in output["message"] for message in messages)
        return
    assert answer.status_code == 200, body
    assert not result.is_error, output
    assert (body["status"], output["success"]) == ("ok", True)
    assert [ticket["ticketId"] for ticket in body["tickets"]] == ids
    assert (output["tickets"], output["say"]) == (body["tickets"], body["say"])
    assert again.structured_content == result.structured_content
    if ids == [REFERENCE]:
        assert body["tickets"][0]["state"] == "queued"


async def test_with_the_helpdesk_down_the_status_route_and_tool_fail_alike() -> None:
    container = await status_container()
    container.helpdesk().healthy = False
    arguments = {"callerNumber": CALLER}
    async with (
        AsyncTestClient(create_app(container)) as http,
        Client(create_mcp_server(container)) as mcp,
    ):
        answer = await http.post(
            "/ingest/ticket-status", json=arguments, headers={"x-auth-token": TOKEN}
        )
        result = await mcp.call_tool(NAMES["get_ticket_status"], arguments)
    text = result.content[0]
    assert text.type == "text"
    assert result.is_error
    output, body = json.loads(text.text), answer.json()
    assert answer.status_code == 503
    assert body["code"] == output["code"] == "HELPDESK_UNAVAILABLE"
    assert body["retryAfter"] == output["retryAfter"] == int(answer.headers["retry-after"])
