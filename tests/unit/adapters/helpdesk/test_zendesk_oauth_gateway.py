"""``ZendeskHelpdesk`` on OAuth client credentials, with its ``Resilience``: the token
endpoint's failures are the gateway's (retried when the request was never sent, health and
``/readyz`` turn unhealthy on a refused client), and neither secret nor token reaches a log line."""

from __future__ import annotations

import httpx
import pytest

from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, ZendeskSettings
from adapters.helpdesk.zendesk.oauth import ClientSecret
from application.errors import HelpdeskUnavailable
from domain.taxonomy import Category, EscalationReason
from domain.ticket import NewTicket
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.oauth_fake import CLIENT, ZENDESK_URL, FakeZendesk
from tests.support.helpdesk.scripted import resilience
from tests.support.log_capture import emitted_lines, events

TICKET = NewTicket(
    subject="[WiFi] Router down",
    body="Category: WiFi",
    category=Category("WiFi"),
    reason=EscalationReason("CallerRequested"),
    confidence="0.9",
    request_key="rk-1",
)


def gateway(zendesk: FakeZendesk, client: ClientSecret = CLIENT) -> ZendeskHelpdesk:
    settings = ZendeskSettings(api_url=ZENDESK_URL, oauth_client=client)
    return ZendeskHelpdesk(zendesk.connect(client), settings, resilience(zendesk.time))


@pytest.fixture
def zendesk(fake_time: FakeTime) -> FakeZendesk:
    return FakeZendesk(fake_time)


async def test_hand_offs_authenticate_with_the_bearer_token(zendesk: FakeZendesk) -> None:
    helpdesk = gateway(zendesk)
    refs = [await helpdesk.create_ticket(TICKET) for _ in range(5)]
    assert [r.id for r in refs] == ["1001", "1002", "1003", "1004", "1005"]
    assert {r.headers["authorization"] for r in zendesk.api_calls} == {"Bearer issued-token-1"}
    assert zendesk.token_requests == 1


async def test_a_token_endpoint_outage_is_retried_like_any_attempt_that_did_not_land(
    zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    zendesk.token_failure = httpx.Response(503, headers={"Retry-After": "1"})
    zendesk.failing_tokens = 1
    helpdesk = gateway(zendesk)
    ref = await helpdesk.create_ticket(TICKET)
    assert ref.id == "1001"
    assert zendesk.token_requests == 2
    assert fake_time.sleeps == [1.0]  # the token endpoint's Retry-After, honoured


async def test_a_wrong_client_secret_makes_the_helpdesk_unhealthy(zendesk: FakeZendesk) -> None:
    helpdesk = gateway(zendesk, ClientSecret(CLIENT.client_id, "a-wrong-secret"))
    with emitted_lines() as stderr:
        assert await helpdesk.check_health() is False
        known = helpdesk.known_health()
        assert known is not None
        assert known.healthy is False
        with pytest.raises(HelpdeskUnavailable) as raised:
            await helpdesk.create_ticket(TICKET)
    assert raised.value.uncertain is False  # nothing was sent: the caller may queue or retry
    assert zendesk.api_calls == []
    refused = events(stderr, "helpdesk.oauth_refused")
    assert [(line["level"], line["status"], line["error"]) for line in refused] == [
        ("error", 401, "invalid_client")
    ] * 2
    assert "a-wrong-secret" not in stderr.getvalue()


async def test_neither_the_client_secret_nor_a_token_reaches_the_log(
    zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    helpdesk = gateway(zendesk)
    with emitted_lines("debug") as stderr:
        await helpdesk.create_ticket(TICKET)
        zendesk.revoke_all()
        await helpdesk.check_health()
        fake_time.now += 3600
        await helpdesk.find_open_ticket(["oa:1"])
    issued = [*zendesk.issued, "issued-token-1"]
    assert zendesk.token_requests == 3
    text = stderr.getvalue()
    assert events(stderr, "helpdesk.oauth_token_issued")  # the log does say what happened
    assert CLIENT.secret not in text
    assert not [token for token in issued if token in text]
