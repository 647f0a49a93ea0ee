"""``say``: the sentence a voice agent reads to the caller, on every filed answer of both transports
- the webhook's 200 (created or found) and 202 (queued), and the filing tools' results - filled
from the operator's templates (SAY_FILED_TEMPLATE, SAY_QUEUED_TEMPLATE) with the ticket number
or the queued reference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client

from application.speech.handoff import DEFAULT_FILED, DEFAULT_QUEUED, SayTemplates
from entrypoints.mcp.server import create_mcp_server
from tests.support.e2e.requests import handoff, note, unique
from tests.support.inprocess import InProcessService
from tests.support.mcp_inprocess import NAMES, container_for, structured

FILED = "Ticket {ticket_id} is open; call {{today}}."
QUEUED = "Your reference is {reference}."
CUSTOM = {"SAY_FILED_TEMPLATE": FILED, "SAY_QUEUED_TEMPLATE": QUEUED}
DOWN = {"MOCK_HELPDESK_HEALTHY": "false"}

# (case, settings, expected status, the sentence for the answer's ticketId)
SENTENCES: list[tuple[str, dict[str, str], int, Callable[[str], str]]] = [
    ("filed, default words", {}, 200, lambda ticket: DEFAULT_FILED.replace("{ticket_id}", ticket)),
    ("queued, default words", DOWN, 202, lambda ref: DEFAULT_QUEUED.replace("{reference}", ref)),
    ("filed, the operator's words", CUSTOM, 200, lambda t: f"Ticket {t} is open; call {{today}}."),
    ("queued, the operator's words", {**CUSTOM, **DOWN}, 202, lambda r: f"Your reference is {r}."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("env", "status", "sentence"), [s[1:] for s in SENTENCES], ids=[s[0] for s in SENTENCES]
)
async def test_the_webhook_answer_says_the_ticket_and_what_next(
    env: dict[str, str], status: int, sentence: Callable[[str], str]
) -> None:
    service = InProcessService({"RATE_LIMIT_PER_SECOND": "1000", **env})
    payload = {"note": note("No internet since the storm"), "oaKey": unique()}
    async with service.client() as client:
        first = await handoff(client, payload)
        again = await handoff(client, payload)  # found (or the same queued reference)
    for answer in (first, again):
        assert answer.status_code == status, answer.text
        body = answer.json()
        assert body["say"] == sentence(body["ticketId"])


@pytest.mark.parametrize("tool", ["oa_handoff", "find_or_create_ticket"])
@pytest.mark.parametrize(
    ("env", "status", "sentence"), [s[1:] for s in SENTENCES], ids=[s[0] for s in SENTENCES]
)
async def test_the_filing_tools_say_it_too(
    tool: str, env: dict[str, str], status: int, sentence: Callable[[str], str]
) -> None:
    arguments: dict[str, Any] = {"oaKey": unique()}
    arguments |= (
        {"note": note("No internet")} if tool == "oa_handoff" else {"description": "x" * 20}
    )
    async with Client(create_mcp_server(container_for(**env))) as client:
        output = structured(await client.call_tool(NAMES[tool], arguments))
    assert bool(output.get("queued")) is (status == 202)
    assert output["say"] == sentence(output["ticketId"])


@pytest.mark.parametrize(
    ("filed", "queued"),
    [("Ticket {ticket}", DEFAULT_QUEUED), (DEFAULT_FILED, "{ticket_id}"), ("", DEFAULT_QUEUED)],
)
def test_a_template_with_other_placeholders_is_refused(filed: str, queued: str) -> None:
    with pytest.raises(ValueError, match="not a say template"):
        SayTemplates(filed, queued)
