"""Redis restarted empty while 50 creates are in flight, then the same 50 hand-offs again (issue
10, "Done when"): 50 tickets in the end - the helpdesk is the record (the Zendesk idempotency
key derived from the problem, and the look-up by ``external_id``), not the lost Redis index.

A private ``redis-server`` (nothing on disk) is killed and started again empty once the
stand-in has received all 50 creates, each slowed to 6 s so they are still in flight; the same
50 hand-offs are sent again at once, while those creates have not landed yet: the index and
the claims are gone, so only the helpdesk can tell that each problem is already being filed.
The first round may be refused loudly (503 ``STORE_UNAVAILABLE`` while Redis is away); the
second must be answered 2xx inside the deadline; a third round after everything settled finds
each problem's one ticket. Run with a young index and with one that vouched for itself before
the restart (its first round filed without asking the helpdesk; the restart makes it young).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.e2e import faults
from tests.support.e2e.faults import redis_server as redis_server
from tests.support.e2e.processes import ServiceFactory
from tests.support.e2e.requests import unique
from tests.support.standin.client import StandinProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

PROBLEMS = 50
SLOW_CREATE_SECONDS = 6


@pytest.mark.parametrize("index", ["young", "vouching"])
async def test_redis_restarted_empty_mid_flight_still_makes_one_ticket_per_problem(
    zendesk_standin: StandinProcess,
    service_factory: ServiceFactory,
    redis_server: faults.RedisServer,
    index: str,
) -> None:
    env = (
        faults.bridge_env(zendesk_standin, STORE_BACKEND="redis", REDIS_URL=redis_server.url)
        if index == "young"
        else faults.vouching_fleet_env(zendesk_standin, redis_server)
    )
    bridge = service_factory(env)
    keys = [unique(f"restart-{n}") for n in range(PROBLEMS)]
    zendesk_standin.slow_creates(SLOW_CREATE_SECONDS)
    async with bridge.client() as client:
        first = asyncio.ensure_future(faults.handoffs(client, keys))

        async def creates_in_flight() -> bool:
            return zendesk_standin.calls()["create"] >= PROBLEMS

        await faults.wait_until(creates_in_flight, SLOW_CREATE_SECONDS - 1, "50 creates sent")
        assert zendesk_standin.tickets() == []  # none has landed yet
        redis_server.stop()
        redis_server.start()
        assert redis_server.dbsize() == 0  # the index, the claims, the outbox: all gone
        second = await faults.handoffs(client, keys)
        first_round = await first

        for response, _ in first_round:  # filed, queued, or refused loudly
            assert response.status_code in (200, 202, 503), response.text
            if response.status_code == 503:
                assert response.json()["code"] == "STORE_UNAVAILABLE", response.text
        for response, seconds in second:
            assert response.status_code in (200, 202), response.text
            assert seconds < faults.DEADLINE_SECONDS, seconds
        references = [
            response.json()["ticketId"]
            for response, _ in (*first_round, *second)
            if response.status_code == 202
        ]
        tickets = await faults.settled(client, zendesk_standin, references, keys, within=60)
        third = await faults.handoffs(client, keys)

    ids = {str(ticket["id"]) for ticket in tickets}
    for response, _ in third:
        assert response.status_code == 200, response.text
        assert response.json()["created"] is False
        assert response.json()["ticketId"] in ids
    assert {response.json()["ticketId"] for response, _ in third} == ids
