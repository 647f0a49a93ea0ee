"""Zendesk specifics: what lands where (payload, tags, fields, headers), what a lookup keeps, and
answers the bridge cannot use. Traffic goes to the stateful fake and is checked against Zendesk's
OpenAPI description. Faults and the circuit are in test_zendesk_faults.py."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from adapters.helpdesk.known_health import Verdict
from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, ZendeskSettings, build_zendesk_client
from application.errors import HelpdeskBadResponse, TicketNotFound
from domain.taxonomy import Category, EscalationReason
from domain.ticket import NewTicket
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.harness import ZENDESK_URL, sent
from tests.support.helpdesk.zendesk_fake import FakeZendesk, Fault
from tests.support.helpdesk.zendesk_openapi import required_spec_path
from tests.support.helpdesk_samples import HAND_OFF, hand_off

KEY = "oa:conv-1"
FILED = hand_off(KEY, "req-1")


async def test_create_puts_each_fact_where_zendesk_agents_see_it(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ref = await gateway.create_ticket(FILED)
    assert ref.id == "101"
    assert ref.url == "https://acme.zendesk.com/agent/tickets/101"
    (request,) = sent(fake_zendesk, "POST")
    assert request.headers["Idempotency-Key"] == "req-1"
    credentials = base64.b64decode(request.headers["Authorization"].removeprefix("Basic "))
    assert credentials == b"bridge@example.com/token:zd-token"
    assert json.loads(request.content) == {
        "ticket": {
            "subject": "[WiFi] Customer unable to connect to WiFi after router reset",
            "comment": {
                "body": HAND_OFF.body,
                "public": False,
            },
            "tags": [
                "helpdesk_bridge",
                "category_wifi",
                "reason_twostepsnoresolve",
                "source_outageagent",
            ],
            "external_id": "oa:conv-1",
            "requester_id": fake_zendesk.directory.by_external_id("hdb-caller:+14155550123")[0].id,
            "custom_fields": [
                {"id": 360001, "value": "WiFi"},
                {"id": 360002, "value": "TwoStepsNoResolve"},
                {"id": 360003, "value": "0.85"},
            ],
        }
    }


@pytest.fixture
def bare_gateway(client: httpx.AsyncClient, fake_time: FakeTime) -> ZendeskHelpdesk:
    """Zendesk with no custom fields configured."""
    bare = ZendeskSettings(api_url=ZENDESK_URL, email="bridge@example.com", api_token="zd-token")
    return ZendeskHelpdesk(client, bare, Resilience(clock=fake_time, sleep=fake_time.sleep))


async def test_a_minimal_hand_off_sends_only_what_is_known(
    bare_gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    gateway = bare_gateway
    ticket = NewTicket(
        subject="[Unknown] Help",
        body="Please call me back",
        category=Category.UNKNOWN,
        reason=EscalationReason.OTHER,
    )
    await gateway.create_ticket(ticket)
    (request,) = sent(fake_zendesk, "POST")
    assert "Idempotency-Key" not in request.headers
    body = json.loads(request.content)["ticket"]
    assert set(body) == {"subject", "comment", "tags"}


async def test_a_delivered_queued_hand_off_carries_its_reference(
    bare_gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ticket = NewTicket(
        subject="[WiFi] No WiFi",
        body="Please call me back",
        category=Category.WIFI,
        reason=EscalationReason.OTHER,
        reference="HB-7KQ2MX",
    )
    await bare_gateway.create_ticket(ticket)
    (request,) = sent(fake_zendesk, "POST")
    body = json.loads(request.content)["ticket"]
    assert "bridge_ref_hb_7kq2mx" in body["tags"]  # Zendesk tags: lowercase words
    assert body["comment"]["body"].endswith("\n\nBridge reference: HB-7KQ2MX")


async def test_notes_are_internal_comments_with_their_author(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ref = await gateway.create_ticket(FILED)
    await gateway.append_note(ref.id, "Still down", "OutageAgent")
    put = sent(fake_zendesk, "PUT")[0]
    assert put.url.path == "/api/v2/tickets/101"
    assert json.loads(put.content) == {
        "ticket": {"comment": {"body": "Still down\n\n— OutageAgent", "public": False}}
    }


def test_oauth_token_is_sent_as_bearer() -> None:
    settings = ZendeskSettings(api_url=ZENDESK_URL + "/", oauth_token="oauth-abc")
    client = build_zendesk_client(settings)
    assert client.headers["Authorization"] == "Bearer oauth-abc"
    assert str(client.base_url) == ZENDESK_URL


@pytest.mark.parametrize(
    "kwargs",
    [
        {"email": "a@b.c"},
        {"api_token": "t"},
        {},
        {"api_url": "acme.zendesk.com", "oauth_token": "x"},
    ],
)
def test_settings_refuse_incomplete_configuration(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="HELPDESK_"):
        ZendeskSettings(**({"api_url": ZENDESK_URL} | kwargs))


async def test_lookup_skips_solved_tickets_and_prefers_the_newest_open_one(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    old = await gateway.create_ticket(hand_off(KEY, "r1"))
    newer = await gateway.create_ticket(hand_off(KEY, "r2"))
    fake_zendesk.tickets[int(newer.id)].created_at = "2099-01-01T00:00:00Z"
    found = await gateway.find_open_ticket(["oa:conv-1"])
    assert found is not None
    assert found.id == newer.id
    fake_zendesk.close(newer.id)
    found = await gateway.find_open_ticket(["oa:conv-1"])
    assert found is not None
    assert found.id == old.id
    (get, *_rest) = sent(fake_zendesk, "GET")
    assert get.url.params["external_id"] == "oa:conv-1"


async def test_unreadable_success_is_a_bad_response(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.inject(
        Fault(respond=httpx.Response(201, text="<html>oops</html>")),
        Fault(respond=httpx.Response(201, json={"ticket": {"id": "abc"}})),
    )
    with pytest.raises(HelpdeskBadResponse):
        await gateway.create_ticket(FILED)
    with pytest.raises(HelpdeskBadResponse):
        await gateway.create_ticket(FILED)
    fake_zendesk.violations.clear()  # those answers break Zendesk's description on purpose


async def test_reusing_a_request_key_for_another_ticket_is_a_bad_response(
    gateway: ZendeskHelpdesk,
) -> None:
    await gateway.create_ticket(FILED)
    with pytest.raises(HelpdeskBadResponse):
        await gateway.create_ticket(hand_off("oa:other", "req-1"))


async def test_a_closed_ticket_refusing_notes_is_a_bad_response(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ref = await gateway.create_ticket(FILED)
    fake_zendesk.tickets[int(ref.id)].status = "closed"
    with pytest.raises(HelpdeskBadResponse):
        await gateway.append_note(ref.id, "Too late", None)


async def test_a_note_for_a_missing_ticket_raises_ticket_not_found(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    with pytest.raises(TicketNotFound):
        await gateway.append_note("424242", "Hello", None)
    assert len(sent(fake_zendesk, "PUT")) == 1


async def test_health_needs_a_known_user_not_an_anonymous_answer(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    anonymous = {"user": {"id": None, "name": "Anonymous user", "role": "end-user"}}
    fake_zendesk.inject(Fault(respond=httpx.Response(200, json=anonymous)))
    assert await gateway.check_health() is False
    assert await gateway.check_health() is True
    fake_zendesk.violations.clear()  # Zendesk's description has no null user id; real Zendesk does


async def test_traffic_is_checked_against_zendesks_openapi_description(
    fake_zendesk: FakeZendesk, client: httpx.AsyncClient, zendesk_contract: object
) -> None:
    if zendesk_contract is None:
        required_spec_path()  # skips saying which file is missing and how to point at it
    await client.post("/api/v2/tickets", json={"ticket": {"subject": 42}})
    assert any("request POST /api/v2/tickets" in v for v in fake_zendesk.violations)
    fake_zendesk.violations.clear()


@pytest.mark.parametrize(
    "call",
    [lambda g: g.check_health(), lambda g: g.create_ticket(hand_off(KEY, caller_number=None))],
    ids=["probe", "create"],
)
async def test_a_bug_of_ours_raises_as_itself_not_as_an_unhealthy_helpdesk(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk, call: Callable[[ZendeskHelpdesk], Any]
) -> None:
    fake_zendesk.inject(Fault(error=TypeError("a request built wrongly")))
    with pytest.raises(TypeError):
        await call(gateway)
    assert gateway.known_health() is None  # no verdict on the helpdesk: it was never asked


async def test_a_garbled_probe_answer_is_unhealthy(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.inject(Fault(respond=httpx.Response(200, text="<html>maintenance</html>")))
    assert await gateway.check_health() is False
    assert gateway.known_health() == Verdict(healthy=False, serial=2)
    fake_zendesk.violations.clear()  # the answer breaks Zendesk's description on purpose
