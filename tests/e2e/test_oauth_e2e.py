"""Issue 14's OAuth "Done when", on real processes: ``helpdesk-bridge serve`` signing in to the
Zendesk stand-in with OAuth client credentials (no e-mail, no API token), whose tokens expire
on its clock and can be revoked.

Hand-offs authenticate with the bearer token; after it expires or is revoked the next hand-off
still succeeds; a handful of token requests serve many hand-offs; a wrong client secret makes
``/readyz`` report the helpdesk unhealthy with a clear log line; no secret or token is logged.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.e2e import faults
from tests.support.e2e.processes import ServiceFactory, ServiceProcess
from tests.support.e2e.requests import assert_ok, handoff, unique
from tests.support.standin.client import StandinProcess
from tests.support.standin.oauth import (
    DEFAULT_CLIENT_SECRET,
    oauth_bridge_env,
    revoke_tokens,
    token_stats,
)

pytestmark = pytest.mark.e2e

WRONG_SECRET = "not-the-client-secret-8c41"


def assert_nothing_secret_logged(bridge: ServiceProcess, standin: StandinProcess) -> None:
    text = bridge.stderr_text()
    leaked = [t for t in token_stats(standin)["issued"] if t in text]
    assert leaked == [], "an access token reached the log"
    assert DEFAULT_CLIENT_SECRET not in text
    assert WRONG_SECRET not in text


async def test_hand_offs_sign_in_with_client_credentials_through_expiry_and_revocation(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    env = oauth_bridge_env(zendesk_standin, LOG_LEVEL="debug", RATE_LIMIT_PER_SECOND="100000")
    bridge = service_factory(env)
    async with bridge.client() as client:
        burst = await asyncio.gather(
            *(handoff(client, faults.problem(unique("burst"))) for _ in range(30))
        )
        for answer in burst:
            assert_ok(answer)
        for _ in range(10):
            assert_ok(await handoff(client, faults.problem(unique("seq"))))
        assert token_stats(zendesk_standin)["granted"] == 1  # 40 hand-offs, one token

        zendesk_standin.advance_clock(1801)  # the token has expired at Zendesk
        assert_ok(await handoff(client, faults.problem(unique("expired"))))
        revoke_tokens(zendesk_standin)  # an admin revoked it
        assert_ok(await handoff(client, faults.problem(unique("revoked"))))
        ready = await client.get("/readyz")

    stats = token_stats(zendesk_standin)
    # a handful for 42 hand-offs; the bridge's own clock did not move, so the two renewals
    # answered the stand-in's 401s (expired, revoked), each followed by the refused call again
    assert (stats["granted"], stats["refused"]) == (3, 0)
    assert len(zendesk_standin.tickets()) == 42
    assert zendesk_standin.calls()["create"] == 42  # no create was lost or doubled
    assert ready.json()["checks"]["helpdesk"] == "healthy"
    issued = [r for r in bridge.log_records() if r["event"] == "helpdesk.oauth_token_issued"]
    assert [r["expires_in"] for r in issued] == [1800] * 3
    assert_nothing_secret_logged(bridge, zendesk_standin)


async def test_a_wrong_client_secret_makes_readyz_report_the_helpdesk_unhealthy(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    env = oauth_bridge_env(zendesk_standin, WRONG_SECRET, READYZ_CACHE_SECONDS="0")
    bridge = service_factory(env)
    async with bridge.client() as client:
        ready = await client.get("/readyz")
        queued = await handoff(client, faults.problem(unique("wrong")))

    assert ready.status_code == 200  # hand-offs are still taken: queued (HELPDESK_DOWN_POLICY)
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["helpdesk"] == "unhealthy"
    assert queued.status_code == 202
    assert zendesk_standin.calls()["me"] == 0  # nothing went out without a token
    assert zendesk_standin.tickets() == []
    refused = [r for r in bridge.log_records() if r["event"] == "helpdesk.oauth_refused"]
    assert refused
    assert {(r["level"], r["status"], r["error"], r["client_id"]) for r in refused} == {
        ("error", 401, "invalid_client", "helpdesk_bridge_standin")
    }
    assert "HELPDESK_OAUTH_CLIENT_SECRET" in refused[0]["hint"]
    assert_nothing_secret_logged(bridge, zendesk_standin)
