"""Request Tracker specifics that a real RT cannot be made to show on demand (lost answers, 503s),
on respx routes. The real-server behaviour is in tests/contract/helpdesk."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import msgspec
import pytest
import respx

from adapters.helpdesk.resilience.calls import Resilience, RetryPolicy
from adapters.helpdesk.resilience.circuit import CircuitBreaker
from adapters.helpdesk.rt.gateway import RtHelpdesk, RtSettings, build_rt_client, ticketsql_string
from application.errors import HelpdeskBadResponse, HelpdeskUnavailable, TicketNotFound
from tests.support.helpdesk_samples import HAND_OFF, hand_off

SETTINGS = RtSettings(api_url="https://rt.example.com", token="1-2-secret", queue="Support")
REST = "https://rt.example.com/REST/2.0"


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def rt() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=REST, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def gateway(rt: respx.MockRouter) -> AsyncIterator[RtHelpdesk]:
    async with build_rt_client(SETTINGS) as client:
        resilience = Resilience(RetryPolicy(), CircuitBreaker(), sleep=no_sleep)
        yield RtHelpdesk(client, SETTINGS, resilience)


FILED = hand_off("oa:conv-9", "req-9")


def test_the_client_talks_rest2_with_the_token() -> None:
    client = build_rt_client(RtSettings(api_url="https://rt.example.com/REST/2.0/", token="1-2-x"))
    assert str(client.base_url) == "https://rt.example.com/REST/2.0/"
    assert client.headers["Authorization"] == "token 1-2-x"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_url": "rt.example.com", "token": "t"},
        {"api_url": "https://rt.example.com", "token": ""},
        {"api_url": "https://rt.example.com", "token": "t", "external_ref_field": "Ext}Ref"},
    ],
)
def test_settings_refuse_unusable_configuration(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"HELPDESK_|RT_"):
        RtSettings(**kwargs)


@pytest.mark.parametrize(
    ("value", "literal"),
    [("oa:1", "'oa:1'"), ("it's", "'it\\'s'"), ("a\\b", "'a\\\\b'"), ("\\'", "'\\\\\\''")],
)
def test_ticketsql_strings_escape_quotes_and_backslashes(value: str, literal: str) -> None:
    assert ticketsql_string(value) == literal


async def test_create_sends_queue_custom_field_and_context(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    route = rt.post("/ticket").respond(201, json={"id": "42", "type": "ticket"})
    ref = await gateway.create_ticket(FILED)
    assert ref.id == "42"
    assert ref.url == "https://rt.example.com/Ticket/Display.html?id=42"
    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "Queue": "Support",
        "Subject": HAND_OFF.subject,
        "Content": HAND_OFF.body + "\n\nCaller: +14155550123\nSource: OutageAgent",
        "ContentType": "text/plain",
        "CustomFields": {"ExternalRef": "oa:conv-9", "CallerNumber": "+14155550123"},
    }


async def test_a_delivered_queued_hand_off_carries_its_reference(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    route = rt.post("/ticket").respond(201, json={"id": "43", "type": "ticket"})
    await gateway.create_ticket(msgspec.structs.replace(FILED, reference="HB-7KQ2MX"))
    sent = json.loads(route.calls.last.request.content)
    assert sent["Content"].endswith("\nBridge reference: HB-7KQ2MX")


async def test_a_create_whose_answer_was_lost_is_not_replayed(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    """RT has no idempotency keys: the next hand-off finds the landed ticket by its key."""
    route = rt.post("/ticket").mock(side_effect=[httpx.ReadTimeout("lost"), httpx.Response(201)])
    with pytest.raises(HelpdeskUnavailable):
        await gateway.create_ticket(FILED)
    assert route.call_count == 1


async def test_a_create_refused_before_processing_is_retried(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    route = rt.post("/ticket").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(503),
            httpx.Response(201, json={"id": "7"}),
        ]
    )
    assert (await gateway.create_ticket(FILED)).id == "7"
    assert route.call_count == 3


async def test_notes_are_comments_never_correspondence(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    comment = rt.post("/ticket/42/comment").respond(201, json=["Comments added"])
    correspond = rt.post("/ticket/42/correspond").respond(201, json=["Correspondence added"])
    await gateway.append_note("42", "Still down", "OutageAgent")
    assert json.loads(comment.calls.last.request.content) == {
        "Content": "Still down\n\n— OutageAgent",
        "ContentType": "text/plain",
    }
    assert not correspond.called


async def test_a_400_on_a_missing_ticket_is_ticket_not_found(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    rt.post("/ticket/42/comment").respond(400, json={"message": "Message could not be recorded"})
    rt.get("/ticket/42").respond(404, json={"message": "Not Found"})
    with pytest.raises(TicketNotFound):
        await gateway.append_note("42", "Still down", None)


async def test_a_400_on_an_existing_ticket_is_a_bad_response(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    rt.post("/ticket/42/comment").respond(400, json={"message": "Message could not be recorded"})
    rt.get("/ticket/42").respond(200, json={"id": 42})
    with pytest.raises(HelpdeskBadResponse):
        await gateway.append_note("42", "Still down", None)


async def test_lookup_is_one_ticketsql_query_in_the_queue_on_active_tickets(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    item = {
        "id": "5",
        "Created": "2026-01-05T10:00:00Z",
        "CustomFields": [{"name": "ExternalRef", "values": ["caller:+14155550123:Outage"]}],
    }
    route = rt.get("/tickets").respond(200, json={"items": [item], "count": 1})
    found = await gateway.find_open_ticket(["oa:conv-9", "caller:+14155550123:Outage"])
    assert found is not None
    assert (found.id, found.created_at) == ("5", 1767607200.0)
    query = route.calls.last.request.url.params["query"]
    assert query == (
        "Queue = 'Support' AND (CF.{ExternalRef} = 'oa:conv-9' OR "
        "CF.{ExternalRef} = 'caller:+14155550123:Outage') AND Status = '__Active__'"
    )


async def test_a_garbled_lookup_answer_is_a_bad_response(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    rt.get("/tickets").respond(200, text="<html>login</html>")
    with pytest.raises(HelpdeskBadResponse):
        await gateway.find_open_ticket(["oa:conv-9"])


async def test_health_is_false_when_refused_or_unreachable(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    rt.get("/rt").mock(
        side_effect=[
            httpx.Response(401, json={"message": "Unauthorized"}),
            httpx.ConnectError("refused"),
            httpx.Response(200, json={"Version": "5.0.3"}),
        ]
    )
    assert await gateway.check_health() is False
    assert await gateway.check_health() is False
    assert await gateway.check_health() is True


async def test_a_bug_of_ours_in_the_probe_raises_as_itself(
    gateway: RtHelpdesk, rt: respx.MockRouter
) -> None:
    rt.get("/rt").mock(side_effect=KeyError("a field we forgot"))
    with pytest.raises(KeyError):
        await gateway.check_health()
