"""The five MCP tools through the SDK's real client, in process (``mcp.Client(server)``): names,
schemas, annotations, results as the spec shows them, and failures as ``isError`` results with
the HTTP API's ``code`` strings, the session serving on afterwards."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from dependency_injector import providers
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, Tool
from structlog.testing import capture_logs

from entrypoints.container import Container, build_container
from entrypoints.http.errors import STATUS_BY_CODE
from entrypoints.mcp.contract import SPEC_NAMES, TOOL_NAME_RULE, tool_names
from entrypoints.mcp.errors import NEXT_STEP, RETRY_AFTER_SECONDS
from entrypoints.mcp.server import create_mcp_server
from entrypoints.settings import load_settings

CATEGORIES = ["Outage", "WiFi", "CGNAT", "Wiring", "EquipmentReturn", "Unknown"]
REASONS = [
    "CallerRequested",
    "TwoStepsNoResolve",
    "OutOfScope",
    "SafetyRisk",
    "BillingOrAccount",
    "Other",
]
E164 = r"^\+[1-9]\d{6,14}$"
NAMES = tool_names("underscore")
NOTE = (
    "Category: Outage\nReason: TwoStepsNoResolve\n"
    "Summary: Complete service outage affecting multiple customers\nConfidence: 0.95"
)


@pytest.fixture
def container() -> Container:
    settings = load_settings({}, env_file="/nonexistent/.env", require_auth=False)
    return build_container(settings)


@pytest.fixture
def server(container: Container) -> MCPServer[Any]:
    return create_mcp_server(container)


async def tools_by_name(client: Client) -> dict[str, Tool]:
    return {tool.name: tool for tool in (await client.list_tools()).tools}


def structured(result: CallToolResult) -> dict[str, Any]:
    assert result.structured_content is not None
    # The text block carries the same JSON: clients that ignore structuredContent see it all.
    text = result.content[0]
    assert text.type == "text"
    assert json.loads(text.text) == result.structured_content
    return dict(result.structured_content)


def error_of(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error is True
    body = structured(result)
    assert body["success"] is False
    assert "Traceback" not in json.dumps(body)
    return body


# --- listing ----------------------------------------------------------------------------------


async def test_lists_the_five_tools_under_client_safe_names(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        tools = await tools_by_name(client)
        assert sorted(tools) == sorted(
            [
                "helpdesk_create_ticket",
                "helpdesk_append_note",
                "helpdesk_find_or_create_ticket",
                "ingest_render_note",
                "ingest_oa_handoff",
            ]
        )
        assert all(re.match(TOOL_NAME_RULE, name) for name in tools)


async def test_dotted_style_serves_the_spec_names(container: Container) -> None:
    async with Client(create_mcp_server(container, name_style="dotted")) as session:
        tools = await tools_by_name(session)
        assert sorted(tools) == sorted(SPEC_NAMES.values())
        result = await session.call_tool(
            "ingest.render_note",
            {
                "category": "WiFi",
                "escalationReason": "Other",
                "summary": "Slow WiFi upstairs",
                "confidence": "0.5",
            },
        )
        assert structured(result)["success"] is True
        # Descriptions point at the other tools by the names actually served.
        assert "ingest.oa_handoff" in (tools["ingest.render_note"].description or "")


async def test_name_style_comes_from_the_environment() -> None:
    settings = load_settings(
        {"MCP_TOOL_NAME_STYLE": "dotted"}, env_file="/nonexistent/.env", require_auth=False
    )
    async with Client(create_mcp_server(build_container(settings))) as session:
        assert "helpdesk.append_note" in await tools_by_name(session)


async def test_input_schemas_carry_enums_limits_and_the_e164_pattern(
    server: MCPServer[Any],
) -> None:
    async with Client(server) as client:
        tools = await tools_by_name(client)
        create = tools[NAMES["create_ticket"]].input_schema
        props = create["properties"]
        assert create["required"] == ["description"]
        assert props["description"]["minLength"] == 10
        assert props["description"]["maxLength"] == 1000
        assert props["category"]["enum"] == CATEGORIES
        assert props["escalationReason"]["enum"] == REASONS
        assert props["callerNumber"]["pattern"] == E164
        assert props["metadata"]["maxProperties"] == 20
        assert set(props) == {
            "description",
            "category",
            "escalationReason",
            "callerNumber",
            "source",
            "metadata",
        }

        handoff = tools[NAMES["oa_handoff"]].input_schema
        assert handoff["required"] == ["note"]
        assert handoff["properties"]["note"]["maxLength"] == 350
        assert set(handoff["properties"]) == {
            "note",
            "category",
            "escalationReason",
            "confidence",
            "callerNumber",
            "oaKey",
            "source",
        }

        render = tools[NAMES["render_note"]].input_schema
        assert sorted(render["required"]) == [
            "category",
            "confidence",
            "escalationReason",
            "summary",
        ]
        assert render["properties"]["summary"]["maxLength"] == 250
        assert render["properties"]["confidence"]["pattern"].startswith("^")

        append = tools[NAMES["append_note"]].input_schema
        assert sorted(append["required"]) == ["note", "ticketId"]

        find = tools[NAMES["find_or_create_ticket"]].input_schema
        assert {"oaKey", "callerNumber", "category", "escalationReason"} <= set(find["properties"])

        for tool in tools.values():
            text = json.dumps(tool.input_schema)
            # Written for every client: no $ref to resolve, no anyOf-with-null to understand.
            assert "$ref" not in text
            assert "anyOf" not in text
            assert len(tool.description or "") > 150


async def test_output_schemas_and_annotations(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        tools = await tools_by_name(client)
        outputs = {key: tools[name].output_schema or {} for key, name in NAMES.items()}
        assert set(outputs["create_ticket"]["required"]) == {
            "success",
            "ticketId",
            "ticketUrl",
            "category",
            "escalationReason",
        }
        assert set(outputs["append_note"]["properties"]) == {"success", "message", "ticketId"}
        assert {"success", "created", "ticketId", "ticketUrl", "message"} == set(
            outputs["find_or_create_ticket"]["properties"]
        )
        assert set(outputs["render_note"]["required"]) == {
            "success",
            "note",
            "charCount",
            "lineCount",
        }
        assert set(outputs["oa_handoff"]["properties"]["echo"]["properties"]) == {
            "oaKey",
            "callerNumber",
        }

        hints = {key: tools[name].annotations for key, name in NAMES.items()}
        assert all(hint is not None for hint in hints.values())
        assert hints["render_note"].read_only_hint is True  # type: ignore[union-attr]
        assert hints["render_note"].idempotent_hint is True  # type: ignore[union-attr]
        assert hints["create_ticket"].idempotent_hint is False  # type: ignore[union-attr]
        assert hints["create_ticket"].read_only_hint is False  # type: ignore[union-attr]
        assert hints["append_note"].idempotent_hint is False  # type: ignore[union-attr]
        assert all(hint.destructive_hint is False for hint in hints.values())  # type: ignore[union-attr]


# --- each tool --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "length"),
    [
        # The spec's two examples: it prints 115 and 95; the notes are 120 and 101 long.
        ("Customer unable to connect to WiFi after router reset", 120),
        ("Customer unable to connect to WiFi", 101),
    ],
)
async def test_render_note_returns_the_real_length(
    server: MCPServer[Any], summary: str, length: int
) -> None:
    async with Client(server) as client:
        result = await client.call_tool(
            NAMES["render_note"],
            {
                "category": "WiFi",
                "escalationReason": "TwoStepsNoResolve",
                "summary": summary,
                "confidence": "0.85",
            },
        )
        body = structured(result)
        assert result.is_error is False
        assert body == {
            "success": True,
            "note": "Category: WiFi\nReason: TwoStepsNoResolve\n"
            f"Summary: {summary}\nConfidence: 0.85",
            "charCount": length,
            "lineCount": 4,
        }
        assert len(body["note"]) == length


async def test_create_ticket_files_a_new_ticket_every_time(
    server: MCPServer[Any], container: Container
) -> None:
    async with Client(server) as client:
        arguments = {
            "description": "Customer experiencing WiFi connectivity issues after router reset",
            "category": "WiFi",
            "escalationReason": "TwoStepsNoResolve",
            "callerNumber": "+12345678900",
            "source": "ATOM",
            "metadata": {"accountId": "A-123"},
        }
        first = structured(await client.call_tool(NAMES["create_ticket"], arguments))
        second = structured(await client.call_tool(NAMES["create_ticket"], arguments))
        assert first == {
            "success": True,
            "ticketId": "TKT-1000",
            "ticketUrl": "https://helpdesk.example.com/tickets/1000",
            "category": "WiFi",
            "escalationReason": "TwoStepsNoResolve",
        }
        assert second["ticketId"] == "TKT-1001"
        record = container.helpdesk().tickets["TKT-1000"]
        assert record.new.source == "ATOM"
        assert "accountId: A-123" in record.new.body


async def test_create_ticket_infers_category_and_reason(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        body = structured(
            await client.call_tool(
                NAMES["create_ticket"],
                {"description": "Complete outage in the area, the caller asked for a human"},
            )
        )
        assert body["category"] == "Outage"
        assert body["escalationReason"] == "CallerRequested"


async def test_find_or_create_dedups_and_append_note_reaches_the_ticket(
    server: MCPServer[Any], container: Container
) -> None:
    async with Client(server) as client:
        arguments = {
            "description": "Customer unable to connect to WiFi",
            "category": "WiFi",
            "escalationReason": "CallerRequested",
            "callerNumber": "+12345678900",
            "oaKey": "oa-12345",
        }
        first = structured(await client.call_tool(NAMES["find_or_create_ticket"], arguments))
        again = structured(await client.call_tool(NAMES["find_or_create_ticket"], arguments))
        assert first["created"] is True
        assert first["message"] == "New ticket created"
        assert again == {
            "success": True,
            "created": False,
            "ticketId": first["ticketId"],
            "ticketUrl": first["ticketUrl"],
            "message": "Existing ticket found (deduplication)",
        }
        # Same caller + category without the oaKey: still the same problem.
        by_caller = {k: v for k, v in arguments.items() if k != "oaKey"}
        found = structured(await client.call_tool(NAMES["find_or_create_ticket"], by_caller))
        assert found["ticketId"] == first["ticketId"]

        appended = structured(
            await client.call_tool(
                NAMES["append_note"],
                {
                    "ticketId": again["ticketId"],
                    "note": "Customer confirmed WiFi is working after router reset",
                    "author": "ISPN-Agent",
                },
            )
        )
        assert appended == {
            "success": True,
            "message": "Note appended successfully",
            "ticketId": first["ticketId"],
        }
        notes = container.helpdesk().tickets[first["ticketId"]].notes
        assert notes == [("Customer confirmed WiFi is working after router reset", "ISPN-Agent")]


async def test_oa_handoff_answers_as_the_spec_shows(
    server: MCPServer[Any], container: Container
) -> None:
    async with Client(server) as client:
        arguments = {
            "note": NOTE,
            "category": "Outage",
            "escalationReason": "CallerRequested",
            "callerNumber": "+12345678900",
            "oaKey": "oa-12345",
            "source": "OutageAgent",
        }
        first = structured(await client.call_tool(NAMES["oa_handoff"], arguments))
        assert first == {
            "success": True,
            "created": True,
            "ticketId": "TKT-1000",
            "ticketUrl": "https://helpdesk.example.com/tickets/1000",
            "category": "Outage",
            "escalationReason": "CallerRequested",
            "confidence": "0.95",
            "echo": {"oaKey": "oa-12345", "callerNumber": "+12345678900"},
        }
        again = structured(
            await client.call_tool(NAMES["oa_handoff"], {"note": NOTE, "oaKey": "oa-12345"})
        )
        assert again["created"] is False
        assert again["ticketId"] == "TKT-1000"
        # The hand-off and find-or-create share one dedup index: the same problem, one ticket.
        found = structured(
            await client.call_tool(
                NAMES["find_or_create_ticket"],
                {"description": "Outage again, same conversation", "oaKey": "oa-12345"},
            )
        )
        assert found["ticketId"] == "TKT-1000"
        assert container.helpdesk().tickets["TKT-1000"].new.source == "OutageAgent"


async def test_oa_handoff_without_source_is_labelled_mcp(
    server: MCPServer[Any], container: Container
) -> None:
    async with Client(server) as client:
        body = structured(await client.call_tool(NAMES["oa_handoff"], {"note": NOTE}))
        assert body["echo"] == {"oaKey": None, "callerNumber": None}
        assert container.helpdesk().tickets[body["ticketId"]].new.source == "MCP"


# --- failures ---------------------------------------------------------------------------------


async def test_bad_arguments_are_validation_errors_per_argument(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        body = error_of(
            await client.call_tool(
                NAMES["oa_handoff"],
                {"note": "too short", "callerNumber": "12345", "category": "Internet"},
            )
        )
        assert body["code"] == "VALIDATION_ERROR"
        details = body["details"]
        assert details["note"] == {"_errors": ["String must contain at least 10 character(s)"]}
        assert details["callerNumber"] == {
            "_errors": ["callerNumber must be a valid E.164 number (e.g. +12345678900)"]
        }
        assert "Outage" in details["category"]["_errors"][0]
        assert "callerNumber" in body["message"]
        assert "Correct the arguments" in body["message"]


async def test_missing_argument_is_required(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        body = error_of(
            await client.call_tool(NAMES["append_note"], {"note": "a long enough note"})
        )
        assert body["code"] == "VALIDATION_ERROR"
        assert body["details"] == {"ticketId": {"_errors": ["Required"]}}


async def test_rules_checked_by_the_use_case_are_validation_errors_too(
    server: MCPServer[Any],
) -> None:
    async with Client(server) as client:
        bad_note = error_of(
            await client.call_tool(NAMES["oa_handoff"], {"note": "This is not a four line note"})
        )
        assert bad_note["code"] == "VALIDATION_ERROR"
        assert "note" in bad_note["details"]

        two_lines = error_of(
            await client.call_tool(
                NAMES["render_note"],
                {
                    "category": "WiFi",
                    "escalationReason": "Other",
                    "summary": "line one\nline two",
                    "confidence": "0.5",
                },
            )
        )
        assert two_lines["details"] == {"summary": {"_errors": ["summary must be a single line"]}}

        unknown_number = error_of(
            await client.call_tool(
                NAMES["find_or_create_ticket"],
                # Matches the E.164 shape, but no such number plan exists.
                {"description": "No internet since this morning", "callerNumber": "+99912345678"},
            )
        )
        assert set(unknown_number["details"]) == {"callerNumber"}


async def test_unknown_ticket_is_ticket_not_found(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        body = error_of(
            await client.call_tool(
                NAMES["append_note"], {"ticketId": "TKT-9999", "note": "Customer called back"}
            )
        )
        assert body["code"] == "TICKET_NOT_FOUND"
        assert "TKT-9999" in body["message"]
        assert "ticketId" in body["message"]


async def test_unavailable_helpdesk_says_when_to_retry(
    server: MCPServer[Any], container: Container
) -> None:
    async with Client(server) as client:
        container.helpdesk().healthy = False
        body = error_of(
            await client.call_tool(
                NAMES["find_or_create_ticket"], {"description": "Customer has no internet at all"}
            )
        )
        assert body["code"] == "HELPDESK_UNAVAILABLE"
        assert body["retryAfter"] == 5
        container.helpdesk().healthy = True
        body = structured(
            await client.call_tool(
                NAMES["find_or_create_ticket"], {"description": "Customer has no internet at all"}
            )
        )
        assert body["created"] is True


class _Broken:
    async def execute(self, _command: object) -> object:
        raise RuntimeError("secret internals /etc/passwd")


async def test_a_bug_is_an_internal_error_without_details(container: Container) -> None:
    with container.render_note.override(providers.Object(_Broken())):
        server = create_mcp_server(container)
    async with Client(server) as session:
        with capture_logs() as logs:
            result = await session.call_tool(
                NAMES["render_note"],
                {
                    "category": "WiFi",
                    "escalationReason": "Other",
                    "summary": "Anything at all",
                    "confidence": "0.5",
                },
            )
        body = error_of(result)
        assert body["code"] == "INTERNAL_ERROR"
        assert "secret" not in json.dumps(body)
        assert any(entry["event"] == "mcp.tool_unhandled_error" for entry in logs)
        # The session keeps serving.
        ok = await session.call_tool(
            NAMES["find_or_create_ticket"], {"description": "Caller reports slow WiFi"}
        )
        assert ok.is_error is False


async def test_session_keeps_serving_after_errors(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        for _ in range(3):
            error_of(
                await client.call_tool(NAMES["append_note"], {"ticketId": "X", "note": "short"})
            )
            error_of(await client.call_tool(NAMES["oa_handoff"], {"note": 42}))
        body = structured(
            await client.call_tool(NAMES["create_ticket"], {"description": "WiFi drops every hour"})
        )
        assert body["success"] is True


async def test_tool_calls_are_logged_without_argument_values(server: MCPServer[Any]) -> None:
    async with Client(server) as client:
        with capture_logs() as logs:
            await client.call_tool(
                NAMES["find_or_create_ticket"],
                {"description": "Secret description text", "callerNumber": "+12345678900"},
            )
            await client.call_tool(NAMES["append_note"], {"ticketId": "TKT-404", "note": "x" * 20})
        calls = [entry for entry in logs if entry["event"] == "mcp.tool_call"]
        assert [entry["outcome"] for entry in calls] == ["ok", "error"]
        assert calls[0]["ticket_id"] == "TKT-1000"
        assert calls[1]["error_code"] == "TICKET_NOT_FOUND"
        text = json.dumps(calls)
        assert "+12345678900" not in text
        assert "Secret description" not in text


def test_error_codes_are_the_http_apis() -> None:
    assert set(NEXT_STEP) <= set(STATUS_BY_CODE)
    assert set(RETRY_AFTER_SECONDS) <= set(STATUS_BY_CODE)
