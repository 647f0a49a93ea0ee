"""The shared input table (``tests/support/input_cases.py``) through both transports, in process:
the webhook (``POST /ingest/oa-handoff`` on the Litestar test client) and the MCP tools (the SDK's
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
from litestar.testing import AsyncTestClient
from mcp import Client

from application.use_cases.append_note import AppendNoteCommand
from application.use_cases.create_ticket import CreateTicketCommand
from application.use_cases.find_or_create_ticket import FindOrCreateTicketCommand
from application.use_cases.oa_handoff import OaHandoffCommand
from application.use_cases.render_note import RenderNoteCommand
from entrypoints.mcp.server import create_mcp_server
from entrypoints.service.app import service_app
from tests.support.answer_cases import ANSWERS, ROWS
from tests.support.input_cases import TEXT, Errors
from tests.support.mcp_inprocess import NAMES, container_for

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
    async with AsyncTestClient(service_app(container)) as client:
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
