"""The ticket-status look-up through both transports, in process: ``POST /ingest/ticket-status``
and the ``get_ticket_status`` tool on one container answer every input of one table alike - the
same tickets, the same ``say``, the same refusals in the same words - and fail alike when the
helpdesk is down."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from mcp import Client

from adapters.clock import ManualClock
from application.inputs.fields import MAX_CALLER_NUMBER_CHARS, MAX_TICKET_ID_CHARS
from application.ports import QueuedHandoff
from application.use_cases.oa_handoff import OaHandoffCommand
from application.use_cases.ticket_status import NEITHER_MESSAGE
from domain.errors import FORM_ERRORS, too_long
from domain.phone import E164_MESSAGE
from entrypoints.bootstrap.container import Container
from entrypoints.mcp.server import create_mcp_server
from entrypoints.service.app import service_app
from tests.support.input_cases import Errors
from tests.support.mcp_inprocess import NAMES, container_for

TOKEN = "status-rules-token"

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
        AsyncTestClient(service_app(container)) as http,
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
        AsyncTestClient(service_app(container)) as http,
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
