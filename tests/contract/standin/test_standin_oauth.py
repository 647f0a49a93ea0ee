"""The stand-in's OAuth token endpoint answers like Zendesk's (``CreateTokenForGrantType`` in
Zendesk's OpenAPI description): client credentials in, an expiring bearer token out, accepted
by the Support API until it expires or is revoked; and the bridge's adapter signs in with it."""

from __future__ import annotations

import httpx
import pytest

from adapters.helpdesk.resilience.calls import Resilience, RetryPolicy
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, build_zendesk_client
from adapters.helpdesk.zendesk.oauth import ClientSecret
from tests.support.helpdesk.zendesk_openapi import ZendeskContract
from tests.support.helpdesk_samples import hand_off
from tests.support.standin.client import StandinProcess
from tests.support.standin.oauth import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    revoke_tokens,
    token_stats,
)
from tests.support.standin.traffic import as_sent_to_zendesk

pytestmark = pytest.mark.e2e

GRANT = {
    "grant_type": "client_credentials",
    "client_id": DEFAULT_CLIENT_ID,
    "client_secret": DEFAULT_CLIENT_SECRET,
    "scope": "read write",
}


async def token(client: httpx.AsyncClient, **changes: str) -> httpx.Response:
    return await client.post("/oauth/tokens", json=GRANT | changes)


async def test_a_token_answer_conforms_to_zendesk_openapi(
    api: httpx.AsyncClient, zendesk_contract: ZendeskContract
) -> None:
    # ``api`` carries Basic auth: the description puts basicAuth on every path, this one too
    answer = await token(api)
    assert answer.status_code == 201
    assert zendesk_contract.check(as_sent_to_zendesk(answer.request), answer) == []
    body = answer.json()
    assert (body["token_type"], body["scope"], body["expires_in"]) == ("bearer", "read write", 1800)


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": ""}, 400, "invalid_scope"),
    ],
)
async def test_a_bad_grant_is_refused_as_zendesk_refuses_it(
    zendesk_standin: StandinProcess, changes: dict[str, str], status: int, error: str
) -> None:
    async with httpx.AsyncClient(base_url=zendesk_standin.url, trust_env=False) as client:
        answer = await token(client, **changes)
    assert (answer.status_code, answer.json()["error"]) == (status, error)
    assert token_stats(zendesk_standin)["refused"] == 1


async def test_a_token_opens_the_api_until_it_expires_or_is_revoked(
    zendesk_standin: StandinProcess,
) -> None:
    async with httpx.AsyncClient(base_url=zendesk_standin.url, trust_env=False) as client:

        async def me(access: str) -> int:
            answer = await client.get("/api/v2/users/me", headers={"authorization": access})
            return answer.status_code

        first = "Bearer " + (await token(client)).json()["access_token"]
        assert await me(first) == 200
        zendesk_standin.advance_clock(1801)
        assert await me(first) == 401  # expired
        second = "Bearer " + (await token(client)).json()["access_token"]
        assert await me(second) == 200
        revoke_tokens(zendesk_standin)
        assert await me(second) == 401  # revoked
        assert await me("Bearer not-a-token") == 401
    stats = token_stats(zendesk_standin)
    assert (stats["requests"], stats["granted"], stats["active"]) == (2, 2, 0)


async def test_the_bridge_adapter_files_through_it_with_a_bearer_token(
    zendesk_standin: StandinProcess,
) -> None:
    client_secret = ClientSecret(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    settings = zendesk_standin.zendesk_settings(
        email=None, api_token=None, oauth_client=client_secret
    )
    async with build_zendesk_client(settings) as client:
        helpdesk = ZendeskHelpdesk(client, settings, Resilience(RetryPolicy()))
        assert await helpdesk.check_health() is True
        refs = [await helpdesk.create_ticket(hand_off(f"oa-{n}")) for n in range(5)]
        revoke_tokens(zendesk_standin)
        refs.append(await helpdesk.create_ticket(hand_off("oa-after-revoke")))
    assert len({ref.id for ref in refs}) == 6
    assert token_stats(zendesk_standin)["granted"] == 2  # the first, and one after the revoke
