"""`helpdesk-bridge serve` with a real Request Tracker 5: tickets land in RT, dedup survives a
restart of the bridge (RT is asked on an index miss), and a bad token makes it not ready."""

from __future__ import annotations

import httpx
import pytest

from tests.support.e2e.processes import ServiceFactory
from tests.support.e2e.requests import AUTH, HANDOFF, JSON_HEADERS, note, unique, unique_caller
from tests.support.rt_server import RtServer, bridge_env_for, handoff

pytestmark = [pytest.mark.e2e, pytest.mark.rt, pytest.mark.timeout(900)]


def tickets_filed_under(rt: RtServer, dedup_key: str) -> list[str]:
    """Ask RT itself (not the bridge) which tickets carry the key in the custom field."""
    query = f"'CF.{{{rt.custom_field}}}' = '{dedup_key}'"
    answer = httpx.get(
        f"{rt.url.rstrip('/')}/REST/2.0/tickets",
        params={"query": query},
        headers={"Authorization": f"token {rt.token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return [str(item["id"]) for item in answer.json()["items"]]


async def test_handoff_lands_in_rt_and_dedups_across_a_restart(
    rt_server: RtServer, service_factory: ServiceFactory
) -> None:
    oa_key = unique("rt")
    payload = {"note": note(), "oaKey": oa_key, "callerNumber": unique_caller()}

    first_bridge = service_factory(bridge_env_for(rt_server))
    created = await handoff(first_bridge.url, payload)
    again = await handoff(first_bridge.url, payload)
    assert created["created"] is True
    assert str(created["ticketId"]).isdigit()
    assert str(created["ticketUrl"]).startswith(rt_server.url.rstrip("/"))
    assert (again["created"], again["ticketId"]) == (False, created["ticketId"])
    assert first_bridge.stop() == 0

    second_bridge = service_factory(bridge_env_for(rt_server))  # an empty in-memory index
    after_restart = await handoff(second_bridge.url, payload)
    assert (after_restart["created"], after_restart["ticketId"]) == (False, created["ticketId"])
    assert tickets_filed_under(rt_server, f"oa:{oa_key}") == [created["ticketId"]]

    async with httpx.AsyncClient(base_url=second_bridge.url, timeout=30) as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["helpdesk"] == "healthy"


async def test_a_bad_rt_token_is_not_ready_and_handoffs_get_503_with_the_fail_policy(
    rt_server: RtServer, service_factory: ServiceFactory
) -> None:
    env = {**bridge_env_for(rt_server, token="not-a-valid-token"), "HELPDESK_DOWN_POLICY": "fail"}
    bridge = service_factory(env)
    async with httpx.AsyncClient(base_url=bridge.url, timeout=30) as client:
        ready = await client.get("/readyz")
        refused = await client.post(
            HANDOFF, json={"note": note(), "oaKey": unique("rt")}, headers={**AUTH, **JSON_HEADERS}
        )
    assert ready.status_code == 503
    assert ready.json()["checks"]["helpdesk"] == "unhealthy"
    assert refused.status_code == 503
    assert refused.json()["code"] == "HELPDESK_UNAVAILABLE"
