"""Failing MCP tool calls, in process: ``isError`` results whose text is the envelope with the
HTTP API's ``code`` (no structured content, which would have to match the success schema), the
session serving on afterwards, and one log line per call without argument values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dependency_injector import providers
from mcp import Client
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from structlog.testing import capture_logs

from entrypoints.bootstrap.container import Container
from entrypoints.mcp.errors import NEXT_STEP
from entrypoints.mcp.server import create_mcp_server
from entrypoints.wire.error_codes import RETRY_AFTER_SECONDS, STATUS_BY_CODE
from tests.support.mcp_inprocess import (
    NAMES,
    NOTE,
    RENDER,
    container_for,
    error_of,
    structured,
)

E164_MESSAGE = "callerNumber must be a valid E.164 number (e.g. +12345678900)"


# (tool, arguments, code, details expected - every refused argument, in the webhook's words)
REFUSALS: list[tuple[str, dict[str, Any], str, dict[str, list[str]] | None]] = [
    ("append_note", {"note": "a long enough note"}, "VALIDATION_ERROR", {"ticketId": ["Required"]}),
    (
        "oa_handoff",
        {"note": "too short", "callerNumber": "12345"},
        "VALIDATION_ERROR",
        {"note": ["String must contain at least 10 character(s)"], "callerNumber": [E164_MESSAGE]},
    ),
    (
        "render_note",
        {**RENDER, "summary": "line one\nline two"},
        "VALIDATION_ERROR",
        {"summary": ["summary must be a single line"]},
    ),
    (
        "append_note",
        {"ticketId": "TKT-9999", "note": "Customer called back"},
        "TICKET_NOT_FOUND",
        None,
    ),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "code", "details"), REFUSALS, ids=[f"{r[0]}-{r[2]}" for r in REFUSALS]
)
async def test_refusals_carry_the_code_and_every_bad_argument(
    mcp_server: Server[Any],
    tool: str,
    arguments: dict[str, Any],
    code: str,
    details: dict[str, list[str]] | None,
) -> None:
    async with Client(mcp_server) as client:
        body = error_of(await client.call_tool(NAMES[tool], arguments))
    assert body["code"] == code
    assert body["message"].endswith(NEXT_STEP[code])
    if details is None:
        assert "details" not in body
    else:
        assert body["details"] == {field: {"_errors": errors} for field, errors in details.items()}
        assert all(field in body["message"] for field in details)


# (tool, arguments, the one argument refused) - checked by the schema or by the use case
REFUSED_ARGUMENTS = [
    ("oa_handoff", {"note": NOTE, "category": "Internet"}, "category"),
    ("oa_handoff", {"note": "This is not a four line note"}, "note"),
    ("oa_handoff", {"note": 42}, "note"),
    ("render_note", {**RENDER, "confidence": "1.5"}, "confidence"),
    # Matches the E.164 shape, but no such number plan exists.
    (
        "find_or_create_ticket",
        {"description": "No internet today", "callerNumber": "+99912345678"},
        "callerNumber",
    ),
    ("create_ticket", {"description": "short"}, "description"),
    ("create_ticket", {"description": "Modem is dead", "metadata": {"k": "v" * 201}}, "metadata"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    REFUSED_ARGUMENTS,
    ids=[f"{r[0]}-{r[2]}-{i}" for i, r in enumerate(REFUSED_ARGUMENTS)],
)
async def test_a_bad_argument_is_named_in_details(
    mcp_server: Server[Any], tool: str, arguments: dict[str, Any], field: str
) -> None:
    async with Client(mcp_server) as client:
        body = error_of(await client.call_tool(NAMES[tool], arguments))
    assert body["code"] == "VALIDATION_ERROR"
    assert set(body["details"]) == {field}
    assert body["details"][field]["_errors"]


async def test_unavailable_helpdesk_says_when_to_retry_with_the_fail_policy() -> None:
    container = container_for(HELPDESK_DOWN_POLICY="fail")
    arguments = {"description": "Customer has no internet at all"}
    async with Client(create_mcp_server(container)) as client:
        container.helpdesk().healthy = False
        body = error_of(await client.call_tool(NAMES["find_or_create_ticket"], arguments))
        container.helpdesk().healthy = True
        again = structured(await client.call_tool(NAMES["find_or_create_ticket"], arguments))
    assert body["code"] == "HELPDESK_UNAVAILABLE"
    assert body["retryAfter"] == RETRY_AFTER_SECONDS["HELPDESK_UNAVAILABLE"]
    assert again["created"] is True


@pytest.mark.parametrize("tool", ["find_or_create_ticket", "oa_handoff"])
async def test_with_the_helpdesk_down_a_filing_tool_succeeds_with_a_reference(tool: str) -> None:
    container = container_for()  # HELPDESK_DOWN_POLICY=queue
    note = "Category: WiFi\nReason: CallerRequested\nSummary: No WiFi at home\nConfidence: 0.8"
    arguments = (
        {"description": "Customer has no internet at all", "oaKey": "mcp-queued"}
        if tool == "find_or_create_ticket"
        else {"note": note, "oaKey": "mcp-queued"}
    )
    async with Client(create_mcp_server(container)) as client:
        container.helpdesk().healthy = False
        first = structured(await client.call_tool(NAMES[tool], arguments))
        again = structured(await client.call_tool(NAMES[tool], arguments))
        status = structured(
            await client.call_tool(NAMES["get_handoff"], {"reference": first["ticketId"].lower()})
        )
        unknown = error_of(await client.call_tool(NAMES["get_handoff"], {"reference": "HB-2222"}))
    assert (first["queued"], first["created"]) == (True, True)
    assert first["ticketId"].startswith("HB-")
    assert first["ticketUrl"].endswith(f"/handoffs/{first['ticketId']}")
    assert (again["ticketId"], again["created"]) == (first["ticketId"], False)
    assert (status["reference"], status["state"]) == (first["ticketId"], "queued")
    assert unknown["code"] == "NOT_FOUND"


class _Broken:
    async def execute(self, _command: object) -> object:
        raise RuntimeError("secret internals /etc/passwd")


async def test_a_bug_is_an_internal_error_without_details(container: Container) -> None:
    with container.render_note.override(providers.Object(_Broken())):
        broken = create_mcp_server(container)
    async with Client(broken) as client:
        with capture_logs() as logs:
            body = error_of(await client.call_tool(NAMES["render_note"], RENDER))
        ok = await client.call_tool(
            NAMES["find_or_create_ticket"], {"description": "Caller reports slow WiFi"}
        )
    assert body["code"] == "INTERNAL_ERROR"
    assert "secret" not in json.dumps(body)
    assert any(entry["event"] == "mcp.tool_unhandled_error" for entry in logs)
    assert ok.is_error is False  # the session keeps serving


async def test_session_keeps_serving_after_errors(mcp_server: Server[Any]) -> None:
    async with Client(mcp_server) as client:
        for _ in range(3):
            bad = {"ticketId": "X", "note": "short"}
            error_of(await client.call_tool(NAMES["append_note"], bad))
            error_of(await client.call_tool(NAMES["oa_handoff"], {"note": 42}))
        body = structured(
            await client.call_tool(NAMES["create_ticket"], {"description": "WiFi drops every hour"})
        )
    assert body["success"] is True


async def test_an_unknown_tool_is_a_protocol_error(mcp_server: Server[Any]) -> None:
    async with Client(mcp_server) as client:
        with pytest.raises(MCPError, match="Unknown tool: helpdesk_delete_ticket"):
            await client.call_tool("helpdesk_delete_ticket", {})


async def test_tool_calls_are_logged_without_argument_values(mcp_server: Server[Any]) -> None:
    async with Client(mcp_server) as client:
        with capture_logs() as logs:
            await client.call_tool(
                NAMES["find_or_create_ticket"],
                {"description": "Secret description text", "callerNumber": "+12345678900"},
            )
            await client.call_tool(NAMES["append_note"], {"ticketId": "TKT-404", "note": "x" * 20})
            await client.call_tool(NAMES["append_note"], {"ticketId": "TKT-404"})
    calls = [entry for entry in logs if entry["event"] == "mcp.tool_call"]
    assert [entry["outcome"] for entry in calls] == ["ok", "error", "error"]
    assert calls[0]["ticket_id"] == "TKT-1000"
    assert [entry.get("error_code") for entry in calls[1:]] == [
        "TICKET_NOT_FOUND",
        "VALIDATION_ERROR",
    ]
    text = json.dumps(calls)
    assert "+12345678900" not in text
    assert "Secret description" not in text


def test_error_codes_and_retry_pauses_are_the_http_apis() -> None:
    assert set(NEXT_STEP) <= set(STATUS_BY_CODE)
    assert "retry in 5 seconds" in NEXT_STEP["HELPDESK_UNAVAILABLE"]
