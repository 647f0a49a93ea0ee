"""What ``tools/list`` shows a client: names, input and output schemas, annotations, and
descriptions whose windows and limits follow the settings."""

from __future__ import annotations

import json
import re

import pytest
from mcp import Client

from domain.taxonomy import Category, EscalationReason
from entrypoints.mcp.contract import SPEC_NAMES, TOOL_NAME_RULE
from entrypoints.mcp.server import create_mcp_server
from tests.support.mcp_inprocess import (
    NAMES,
    RENDER,
    container_for,
    structured,
    tools_by_name,
)


async def test_lists_the_five_tools_under_client_safe_names() -> None:
    async with Client(create_mcp_server(container_for())) as client:
        tools = await tools_by_name(client)
    assert sorted(tools) == sorted(NAMES.values())
    assert all(re.match(TOOL_NAME_RULE, name) for name in tools)


@pytest.mark.parametrize("from_env", [False, True])
async def test_dotted_style_serves_the_spec_names(from_env: bool) -> None:
    if from_env:
        server = create_mcp_server(container_for(MCP_TOOL_NAME_STYLE="dotted"))
    else:
        server = create_mcp_server(container_for(), name_style="dotted")
    async with Client(server) as client:
        tools = await tools_by_name(client)
        assert sorted(tools) == sorted(SPEC_NAMES.values())
        assert structured(await client.call_tool("ingest.render_note", RENDER))["success"]
    # Descriptions point at the other tools by the names actually served.
    assert "ingest.oa_handoff" in (tools["ingest.render_note"].description or "")


PROBLEM = {"category", "escalationReason", "confidence", "callerNumber", "oaKey", "source"}
# (tool, required arguments, every argument)
INPUTS = [
    (
        "create_ticket",
        ["description"],
        {"description", "category", "escalationReason", "callerNumber", "source", "metadata"},
    ),
    ("append_note", ["note", "ticketId"], {"ticketId", "note", "author"}),
    (
        "find_or_create_ticket",
        ["description"],
        {"description", *PROBLEM},
    ),
    ("render_note", ["category", "confidence", "escalationReason", "summary"], None),
    ("oa_handoff", [], {"note", "summary", *PROBLEM}),  # note or summary: said, not required
    ("get_ticket_status", [], {"callerNumber", "ticketId"}),  # at least one: said, not schema
]


@pytest.mark.parametrize(("tool", "required", "arguments"), INPUTS, ids=[i[0] for i in INPUTS])
async def test_input_schemas_are_flat_with_the_required_arguments(
    tool: str, required: list[str], arguments: set[str] | None
) -> None:
    async with Client(create_mcp_server(container_for())) as client:
        schema = (await tools_by_name(client))[NAMES[tool]].input_schema
    assert schema["type"] == "object"
    assert sorted(schema.get("required", [])) == required
    assert set(schema["properties"]) == (arguments or set(required))
    # Written for every client: no $ref to resolve, no anyOf-with-null to understand.
    text = json.dumps(schema)
    assert "$ref" not in text
    assert "anyOf" not in text


async def test_input_schemas_carry_enums_and_limits() -> None:
    async with Client(create_mcp_server(container_for())) as client:
        tools = await tools_by_name(client)
    create = tools[NAMES["create_ticket"]].input_schema["properties"]
    assert (create["description"]["minLength"], create["description"]["maxLength"]) == (10, 1000)
    assert sorted(create["category"]["enum"]) == sorted(member.value for member in Category)
    assert sorted(create["escalationReason"]["enum"]) == sorted(m.value for m in EscalationReason)
    # Normalised like the webhook's (spaces, dots, dashes): a length cap, no E.164 pattern.
    assert create["callerNumber"]["maxLength"] == 32
    assert "pattern" not in create["callerNumber"]
    assert create["metadata"]["maxProperties"] == 20
    assert tools[NAMES["oa_handoff"]].input_schema["properties"]["note"]["maxLength"] == 350
    render = tools[NAMES["render_note"]].input_schema["properties"]
    assert render["summary"]["maxLength"] == 250
    assert render["confidence"]["pattern"].startswith("^")


# (tool, the output's required fields; the filing tools may add ``queued``: a queued hand-off)
OUTPUTS = [
    ("create_ticket", {"success", "ticketId", "ticketUrl", "category", "escalationReason"}),
    ("append_note", {"success", "message", "ticketId"}),
    ("find_or_create_ticket", {"success", "created", "ticketId", "ticketUrl", "say", "message"}),
    ("render_note", {"success", "note", "charCount", "lineCount"}),
    (
        "oa_handoff",
        {"success", "created", "ticketId", "ticketUrl", "category", "escalationReason"}
        | {"confidence", "echo", "say"},
    ),
    (
        "get_handoff",
        {"success", "reference", "state", "ticketId", "ticketUrl", "attempts", "lastError"}
        | {"queuedAt", "deliveredAt"},
    ),
    ("get_ticket_status", {"success", "tickets", "say"}),
]
OPTIONAL = {"find_or_create_ticket": {"queued"}, "oa_handoff": {"queued"}}


@pytest.mark.parametrize(("tool", "fields"), OUTPUTS, ids=[o[0] for o in OUTPUTS])
async def test_output_schemas_name_the_spec_fields(tool: str, fields: set[str]) -> None:
    async with Client(create_mcp_server(container_for())) as client:
        schema = (await tools_by_name(client))[NAMES[tool]].output_schema or {}
    assert schema["type"] == "object"
    assert set(schema["required"]) == fields
    assert set(schema["properties"]) == fields | OPTIONAL.get(tool, set())
    assert "$ref" not in json.dumps(schema)
    if tool == "oa_handoff":
        assert set(schema["properties"]["echo"]["properties"]) == {"oaKey", "callerNumber"}
    if tool == "get_ticket_status":
        ticket = schema["properties"]["tickets"]["items"]
        assert ticket["required"] == [
            "ticketId",
            "ticketUrl",
            "state",
            "subject",
            "createdAt",
            "updatedAt",
        ]
        states = ticket["properties"]["state"]["enum"]
        assert sorted(states) == sorted(["open", "pending", "solved", "closed", "queued"])


# (tool, readOnly, idempotent, openWorld: it reaches the helpdesk)
HINTS = [
    ("create_ticket", False, False, True),
    ("append_note", False, False, True),
    ("find_or_create_ticket", False, False, True),
    ("render_note", True, True, False),
    ("oa_handoff", False, False, True),
    ("get_ticket_status", True, True, True),
]


@pytest.mark.parametrize(
    ("tool", "read_only", "idempotent", "open_world"), HINTS, ids=[h[0] for h in HINTS]
)
async def test_annotations(tool: str, read_only: bool, idempotent: bool, open_world: bool) -> None:
    async with Client(create_mcp_server(container_for())) as client:
        listed = (await tools_by_name(client))[NAMES[tool]]
    hints = listed.annotations
    assert hints is not None
    assert (hints.read_only_hint, hints.idempotent_hint) == (read_only, idempotent)
    assert hints.destructive_hint is False
    assert hints.open_world_hint is open_world
    assert listed.title == hints.title
    assert len(listed.description or "") > 150


@pytest.mark.parametrize(("ttl", "window"), [("14400", "4 hours"), ("5400", "90 minutes")])
async def test_descriptions_render_the_dedup_window_from_the_settings(
    ttl: str, window: str
) -> None:
    async with Client(create_mcp_server(container_for(DEDUP_TTL_SECONDS=ttl))) as client:
        tools = await tools_by_name(client)
    for key in ("find_or_create_ticket", "oa_handoff"):
        assert f"within {window}" in (tools[NAMES[key]].description or "")
    assert "350 characters" in (tools[NAMES["oa_handoff"]].description or "")
    assert "10-1000 characters" in (tools[NAMES["append_note"]].description or "")
