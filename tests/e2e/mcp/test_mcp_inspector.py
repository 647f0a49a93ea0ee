"""A TypeScript-SDK client (the MCP Inspector's CLI) drives every tool over stdio
(``helpdesk-bridge mcp``, one process per call, as the Inspector spawns it) and over ``/mcp`` of a
real ``helpdesk-bridge serve``: good calls come back as structured results the client accepts,
bad calls as tool errors (``isError``) whose text carries our code and message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e.environment import TOKEN, executable, service_environment
from tests.support.e2e.inspector import Target, http_target, stdio_target
from tests.support.e2e.processes import ServiceFactory
from tests.support.rt_server import RtServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

NAMES = {
    "create_ticket": "helpdesk_create_ticket",
    "append_note": "helpdesk_append_note",
    "find_or_create_ticket": "helpdesk_find_or_create_ticket",
    "render_note": "ingest_render_note",
    "oa_handoff": "ingest_oa_handoff",
    "get_handoff": "helpdesk_get_handoff",
    "get_ticket_status": "helpdesk_get_ticket_status",
}
NOTE = (
    "Category: WiFi\nReason: TwoStepsNoResolve\n"
    "Summary: Customer unable to connect to WiFi after router reset\nConfidence: 0.85"
)
MOCK = {"HELPDESK_BACKEND": "mock", "STORE_BACKEND": "memory"}

# (tool, arguments, the output fields expected) - each on a fresh server over stdio.
GOOD_CALLS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "render_note",
        {
            "category": "WiFi",
            "escalationReason": "TwoStepsNoResolve",
            "summary": "Customer unable to connect to WiFi after router reset",
            "confidence": "0.85",
        },
        {"success": True, "note": NOTE, "charCount": 120, "lineCount": 4},
    ),
    (
        "oa_handoff",
        # Normalised as the webhook does it: spaces in the number, an empty key is no key.
        {"note": NOTE, "callerNumber": "+1 415 555 2671", "oaKey": ""},
        {
            "success": True,
            "created": True,
            "category": "WiFi",
            "escalationReason": "TwoStepsNoResolve",
            "confidence": "0.85",
            "echo": {"oaKey": None, "callerNumber": "+14155552671"},
        },
    ),
    (
        "find_or_create_ticket",
        {"description": "Caller's WiFi drops every evening", "oaKey": "oa-inspector-2"},
        {"success": True, "created": True, "message": "New ticket created"},
    ),
    (
        "create_ticket",
        {
            "description": "Equipment return requested for the old modem",
            "source": "ATOM",
            "metadata": {"accountId": "A-123"},
        },
        {"success": True, "category": "EquipmentReturn"},
    ),
    (
        "get_ticket_status",
        {"callerNumber": "+1 415 555 0100"},  # nobody's: the http target's server is shared
        {
            "success": True,
            "tickets": [],
            "say": "I found no open or recently solved tickets for this phone number.",
        },
    ),
]

# (tool, arguments, code, the argument named in details or a fragment of the message)
BAD_CALLS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "append_note",
        {"ticketId": "TKT-999999", "note": "Is anybody out there?"},
        "TICKET_NOT_FOUND",
        "TKT-999999",
    ),
    ("oa_handoff", {"note": NOTE, "category": "Internet"}, "VALIDATION_ERROR", "category"),
    ("create_ticket", {"description": "short"}, "VALIDATION_ERROR", "description"),
    ("append_note", {"note": "A note without its ticket"}, "VALIDATION_ERROR", "ticketId"),
    ("oa_handoff", {"note": NOTE, "callerNumber": "555-1234"}, "VALIDATION_ERROR", "callerNumber"),
    ("oa_handoff", {"note": 42}, "VALIDATION_ERROR", "note"),
    (
        "render_note",
        {"category": "WiFi", "escalationReason": "Other", "summary": "Slow", "confidence": "2"},
        "VALIDATION_ERROR",
        "confidence",
    ),
    ("find_or_create_ticket", {"oaKey": "oa-x"}, "VALIDATION_ERROR", "description"),
    ("get_handoff", {"reference": "HB-ZZZZZZ"}, "NOT_FOUND", "HB-ZZZZZZ"),
    ("get_handoff", {}, "VALIDATION_ERROR", "reference"),
    ("get_ticket_status", {"callerNumber": "555-1234"}, "VALIDATION_ERROR", "callerNumber"),
]


def child_env(**overrides: str) -> dict[str, str]:
    """The Inspector's environment, which it hands on to the server it spawns."""
    return service_environment({**MOCK, **overrides})


@pytest.fixture(scope="module")
def serve(module_service_factory: ServiceFactory) -> str:
    """One ``helpdesk-bridge serve`` for the module's Streamable HTTP calls."""
    return module_service_factory({**MOCK, "RATE_LIMIT_PER_SECOND": "1000"}).url


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "stdio":
        yield stdio_target(executable(), tmp_path, child_env())
    else:
        url = request.getfixturevalue("serve")
        yield http_target(url, TOKEN, tmp_path, child_env())


def assert_fields(output: dict[str, Any], expected: dict[str, Any]) -> None:
    assert {name: output.get(name) for name in expected} == expected
    if "ticketId" in output:
        assert output["ticketId"].startswith("TKT-")
        assert output["ticketUrl"].startswith("https://")


def test_lists_every_tool_with_its_schemas(target: Target) -> None:
    tools = {tool["name"]: tool for tool in target.list_tools()}
    assert sorted(tools) == sorted(NAMES.values())
    for tool in tools.values():
        assert tool["inputSchema"]["type"] == "object"
        assert tool["outputSchema"]["type"] == "object"
        assert tool["annotations"]["destructiveHint"] is False


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"), GOOD_CALLS, ids=[case[0] for case in GOOD_CALLS]
)
def test_good_calls_succeed(
    target: Target, tool: str, arguments: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert_fields(target.call(NAMES[tool], arguments).output(), expected)


@pytest.mark.parametrize(
    ("tool", "arguments", "code", "named"), BAD_CALLS, ids=[f"{c[0]}-{c[3]}" for c in BAD_CALLS]
)
def test_bad_calls_are_tool_errors_with_our_code_and_message(
    target: Target, tool: str, arguments: dict[str, Any], code: str, named: str
) -> None:
    envelope = target.call(NAMES[tool], arguments).error()
    assert envelope["code"] == code
    assert named in envelope["message"]
    if code == "VALIDATION_ERROR":
        assert named in envelope["details"]
        assert set(envelope["details"][named]) == {"_errors"}


def test_a_note_reaches_the_ticket_found_over_http(serve: str, tmp_path: Path) -> None:
    """One server process: the ticket a hand-off filed is found again and takes a note."""
    target = http_target(serve, TOKEN, tmp_path, child_env())
    filed = target.call(NAMES["oa_handoff"], {"note": NOTE, "oaKey": "oa-inspector-http"})
    ticket = filed.output()["ticketId"]
    again = target.call(
        NAMES["find_or_create_ticket"],
        {"description": "Calling again about it", "oaKey": "oa-inspector-http"},
    )
    assert again.output()["created"] is False
    assert again.output()["ticketId"] == ticket
    note = {"ticketId": ticket, "note": "Caller confirmed the router was reset twice"}
    assert target.call(NAMES["append_note"], note).output() == {
        "success": True,
        "message": "Note appended successfully",
        "ticketId": ticket,
    }


@pytest.mark.rt
def test_a_note_reaches_the_ticket_another_stdio_process_filed(
    rt_server: RtServer, tmp_path: Path
) -> None:
    """Over stdio each Inspector call is a new process: a helpdesk that outlives it (RT) holds
    the ticket the first call filed, and the second call appends to it."""
    env = child_env(
        HELPDESK_BACKEND="rt",
        HELPDESK_API_URL=rt_server.url,
        HELPDESK_API_KEY=rt_server.token,
        RT_EXTERNAL_REF_FIELD=rt_server.custom_field,
    )
    target = stdio_target(executable(), tmp_path, env)
    created = target.call(NAMES["create_ticket"], {"description": "Modem lights blink red"})
    ticket = created.output()["ticketId"]
    note = {"ticketId": ticket, "note": "Caller power-cycled the modem, still red"}
    assert target.call(NAMES["append_note"], note).output()["ticketId"] == ticket
