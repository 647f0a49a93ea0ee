"""Zendesk OAuth client credentials (``ClientCredentials``), against an in-process Zendesk on a
fake clock: the bearer token is fetched once, shared, renewed before it expires and once on a
401, one renewal serves every waiting request, and failures are the application's."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from adapters.helpdesk.resilience.attempt import AttemptFailed
from adapters.helpdesk.zendesk.oauth import (
    RETRY_RENEWAL_SECONDS,
    ClientCredentials,
    ClientSecret,
    renew_after,
)
from application.errors import HelpdeskUnavailable
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.oauth_fake import CLIENT, FakeZendesk

ME = "/api/v2/users/me"


@pytest.fixture
def zendesk(fake_time: FakeTime) -> FakeZendesk:
    return FakeZendesk(fake_time)


def bearer(request: httpx.Request) -> str:
    return request.headers["authorization"]


async def test_the_token_is_fetched_on_first_use_and_serves_every_later_request(
    zendesk: FakeZendesk,
) -> None:
    async with zendesk.connect() as client:
        assert zendesk.token_requests == 0  # nothing is fetched before it is needed
        answers = [await client.get(ME) for _ in range(20)]
    assert [a.status_code for a in answers] == [200] * 20
    assert zendesk.grants == [
        {
            "grant_type": "client_credentials",
            "client_id": "helpdesk_bridge",
            "client_secret": "s3cret-client-value",
            "scope": "read write",
        }
    ]
    assert {bearer(r) for r in zendesk.api_calls} == {"Bearer issued-token-1"}


@pytest.mark.parametrize(
    ("expires_in", "renewed_after"),
    [(1800, 1740), (300, 240), (100, 80), (10, 8)],
)
def test_a_token_is_renewed_60_seconds_or_a_fifth_of_its_life_before_it_expires(
    expires_in: float, renewed_after: float
) -> None:
    assert renew_after(expires_in) == pytest.approx(renewed_after)


async def test_it_renews_before_expiry_so_no_request_meets_an_expired_token(
    zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    async with zendesk.connect() as client:
        for _ in range(10):  # 10 x 300 s: five tokens' lives of 1800 s... and a bit
            assert (await client.get(ME)).status_code == 200
            fake_time.now += 300
    assert len(zendesk.api_calls) == 10  # no request was refused and sent again
    assert zendesk.token_requests == 2  # renewed once, 60 s before the first expired


async def test_a_token_without_expiry_is_kept_until_it_is_refused(
    zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    zendesk.expires_in = None
    async with zendesk.connect() as client:
        await client.get(ME)
        fake_time.now += 10 * 86_400
        await client.get(ME)
        assert zendesk.token_requests == 1
        zendesk.revoke_all()
        assert (await client.get(ME)).status_code == 200
    assert zendesk.token_requests == 2


async def test_a_401_renews_once_and_resends_the_request_with_its_body(
    zendesk: FakeZendesk,
) -> None:
    async with zendesk.connect() as client:
        await client.get(ME)
        zendesk.revoke_all()  # an admin revoked the token (or it expired early)
        answer = await client.put("/api/v2/tickets/1", json={"ticket": {"comment": "x"}})
    assert answer.status_code == 200
    assert answer.json()["echo"] == '{"ticket":{"comment":"x"}}'
    _, refused, resent = zendesk.api_calls
    assert (bearer(refused), bearer(resent)) == ("Bearer issued-token-1", "Bearer issued-token-2")
    assert refused.content == resent.content
    assert zendesk.token_requests == 2


async def test_a_second_401_is_the_answer(zendesk: FakeZendesk) -> None:
    zendesk.accept_tokens = False  # the tokens it issues do not open the API
    async with zendesk.connect() as client:
        answer = await client.get(ME)
    assert answer.status_code == 401
    assert len(zendesk.api_calls) == 2  # sent, renewed once, sent again: no loop
    assert zendesk.token_requests == 2


async def test_many_requests_waiting_share_one_renewal(zendesk: FakeZendesk) -> None:
    zendesk.gate = asyncio.Event()
    async with zendesk.connect() as client:
        waiting = [asyncio.create_task(client.get(ME)) for _ in range(50)]
        await asyncio.sleep(0.01)
        assert zendesk.token_requests == 1  # one in flight, 49 waiting on it
        zendesk.gate.set()
        answers = await asyncio.gather(*waiting)
        assert [a.status_code for a in answers] == [200] * 50
        zendesk.revoke_all()  # all of them meet a 401 at once: still one renewal
        zendesk.gate = None
        again = await asyncio.gather(*(client.get(ME) for _ in range(50)))
    assert [a.status_code for a in again] == [200] * 50
    assert zendesk.token_requests == 2


async def test_a_cancelled_request_does_not_cancel_the_renewal_others_wait_for(
    zendesk: FakeZendesk,
) -> None:
    zendesk.gate = asyncio.Event()
    async with zendesk.connect() as client:
        leader = asyncio.create_task(client.get(ME))
        await asyncio.sleep(0.01)
        follower = asyncio.create_task(client.get(ME))
        await asyncio.sleep(0.01)
        leader.cancel()  # e.g. its attempt timed out
        zendesk.gate.set()
        assert (await follower).status_code == 200
        with pytest.raises(asyncio.CancelledError):
            await leader
    assert zendesk.token_requests == 1


async def test_a_refused_client_is_the_helpdesk_refusing_us_logged_without_the_secret(
    zendesk: FakeZendesk,
) -> None:
    wrong = ClientSecret(CLIENT.client_id, "not-the-secret")
    with capture_logs() as logs:
        async with zendesk.connect(wrong) as client:
            results = await asyncio.gather(
                *(client.get(ME) for _ in range(5)), return_exceptions=True
            )
    assert all(isinstance(r, HelpdeskUnavailable) for r in results)
    error = results[0]
    assert isinstance(error, HelpdeskUnavailable)
    assert error.details == {
        "operation": "oauth_token",
        "reason": "oauth_refused",
        "status": 401,
        "error": "invalid_client",
    }
    assert "HELPDESK_OAUTH_CLIENT_SECRET" in error.message
    assert not error.uncertain
    assert zendesk.token_requests == 1  # the five waited on one refusal
    assert zendesk.api_calls == []  # no request went out without a token
    [refused] = [e for e in logs if e["event"] == "helpdesk.oauth_refused"]
    assert (refused["status"], refused["error"], refused["client_id"]) == (
        401,
        "invalid_client",
        "helpdesk_bridge",
    )
    assert "not-the-secret" not in repr(logs)


@pytest.mark.parametrize(
    ("failure", "reason", "retry_after"),
    [
        (httpx.Response(503, headers={"Retry-After": "7"}), "oauth_http_503", 7.0),
        (httpx.Response(429, headers={"Retry-After": "30"}), "oauth_http_429", 30.0),
        (httpx.Response(500), "oauth_http_500", None),
        (httpx.ConnectError("refused"), "oauth_ConnectError", None),
        (httpx.ReadTimeout("slow"), "oauth_ReadTimeout", None),
    ],
)
async def test_a_failing_token_endpoint_is_an_attempt_that_never_sent_the_request(
    zendesk: FakeZendesk, failure: Any, reason: str, retry_after: float | None
) -> None:
    zendesk.token_failure = failure
    async with zendesk.connect() as client:
        with pytest.raises(AttemptFailed) as raised:
            await client.post("/api/v2/tickets", json={})
    assert (raised.value.reason, raised.value.landed, raised.value.retryable) == (
        reason,
        False,
        True,
    )
    assert raised.value.retry_after == retry_after
    assert zendesk.api_calls == []


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "bearer", "expires_in": 1800},
        {"access_token": "", "token_type": "bearer"},
        {"access_token": "a b", "token_type": "bearer"},
        {"access_token": "t", "token_type": "mac"},
        {"access_token": "t", "token_type": "bearer", "expires_in": -5},
        {"access_token": "t", "token_type": "bearer", "expires_in": "soon"},
    ],
)
async def test_an_answer_without_a_usable_bearer_token_is_unavailable(
    zendesk: FakeZendesk, body: dict[str, object]
) -> None:
    zendesk.token_body = body
    async with zendesk.connect() as client:
        with pytest.raises(HelpdeskUnavailable) as raised:
            await client.get(ME)
    assert raised.value.details["reason"] == "oauth_bad_answer"


async def test_a_failed_renewal_keeps_the_valid_token_and_tries_again_later(
    zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    async with zendesk.connect() as client:
        await client.get(ME)
        fake_time.now += renew_after(1800) + 1  # due, 59 s left
        zendesk.token_failure = httpx.Response(503)
        assert (await client.get(ME)).status_code == 200
        assert (await client.get(ME)).status_code == 200  # not asked again at once
        assert zendesk.token_requests == 2
        fake_time.now += RETRY_RENEWAL_SECONDS
        zendesk.token_failure = None
        assert (await client.get(ME)).status_code == 200
        assert zendesk.token_requests == 3
        fake_time.now += 1800 - renew_after(1800)  # the first token has expired by now
        assert (await client.get(ME)).status_code == 200
    assert {bearer(r) for r in zendesk.api_calls[-2:]} == {"Bearer issued-token-2"}


async def test_rotated_credentials_are_used_from_the_next_renewal(
    zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    rotated = ClientSecret(CLIENT.client_id, "the-new-secret", CLIENT.scopes)
    async with zendesk.connect() as client:
        await client.get(ME)
        zendesk.client = rotated  # the secret was regenerated in Zendesk
        assert client.auth is not None
        client.auth.rotate(rotated)  # type: ignore[attr-defined]
        assert (await client.get(ME)).status_code == 200  # the token in use stays
        fake_time.now += 1800
        assert (await client.get(ME)).status_code == 200
    assert [g["client_secret"] for g in zendesk.grants] == ["s3cret-client-value", "the-new-secret"]


def test_neither_the_secret_nor_a_token_is_in_a_repr(zendesk: FakeZendesk) -> None:
    client = zendesk.connect()
    assert "s3cret" not in repr(CLIENT) + repr(client.auth)
    assert "helpdesk_bridge" in repr(client.auth)


def test_it_refuses_to_run_in_a_sync_client() -> None:
    with (
        httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client,
        pytest.raises(RuntimeError, match="AsyncClient"),
    ):
        client.get("https://acme.zendesk.com/", auth=ClientCredentials(CLIENT))
