"""SIGKILL of the bridge with hand-offs queued (issue 10, "Done when"): each is delivered once -
after a restart on the same SQLite outbox file, or by the other instance of a fleet on Redis.

The bridge is killed (SIGKILL of its process group, no shutdown) once every queued hand-off has
had its first delivery attempt refused and waits for its next one, so none is leased at that
moment: an item leased by a killed worker is taken over only when its lease (120 s) runs out,
longer than this suite may spend. What must hold is what a caller sees: every reference
delivered, one ticket per problem in the stand-in, nothing left queued.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.e2e import faults
from tests.support.e2e.faults import redis_server as redis_server
from tests.support.e2e.processes import ServiceFactory, ServiceProcess
from tests.support.e2e.requests import unique
from tests.support.standin.client import StandinProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(90)]

HANDOFFS = 12


async def _queue_handoffs(bridge: ServiceProcess, keys: list[str]) -> list[str]:
    """Send one hand-off per key while the helpdesk refuses: each answered 202 inside the
    deadline; their references once each has been tried and postponed (none leased)."""
    async with bridge.client() as client:
        answers = await faults.handoffs(client, keys)
        for response, seconds in answers:
            assert response.status_code == 202, response.text
            assert seconds < faults.DEADLINE_SECONDS
        references = [response.json()["ticketId"] for response, _ in answers]

        async def all_tried() -> bool:
            states = await faults.handoff_states(client, references)
            return all(s["state"] == "queued" and s["attempts"] >= 1 for s in states.values())

        await faults.wait_until(all_tried, 10, "every queued hand-off tried once", interval=0.05)
    return references


async def _settled_by(
    bridge: ServiceProcess, standin: StandinProcess, references: list[str], keys: list[str]
) -> None:
    async with bridge.client() as client:
        await faults.settled(client, standin, references, keys, within=30)


async def test_killed_with_items_queued_each_is_delivered_once_after_a_restart(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory, tmp_path: Path
) -> None:
    env = faults.bridge_env(zendesk_standin, OUTBOX_PATH=str(tmp_path / "outbox.sqlite3"))
    bridge = service_factory(env)
    keys = [unique(f"kill-{n}") for n in range(HANDOFFS)]
    zendesk_standin.fail(500)  # down until reset
    references = await _queue_handoffs(bridge, keys)
    bridge.kill()
    assert not bridge.running
    zendesk_standin.reset()  # the helpdesk is back; the bridge is not

    restarted = service_factory(env)  # the same outbox file
    await _settled_by(restarted, zendesk_standin, references, keys)
    delivered = {
        r["reference"] for r in restarted.log_records() if r.get("event") == "outbox.delivered"
    }
    assert delivered == set(references)


async def test_one_of_two_instances_on_redis_killed_the_other_delivers_each_once(
    zendesk_standin: StandinProcess,
    service_factory: ServiceFactory,
    redis_server: faults.RedisServer,
) -> None:
    """The helpdesk refuses with 429 Retry-After 12 (remembered in Redis for the fleet, so
    neither instance calls it until then); every hand-off goes to the first instance, which is
    killed; the second delivers them all once the wait is over."""
    env = faults.bridge_env(
        zendesk_standin,
        STORE_BACKEND="redis",
        REDIS_URL=redis_server.url,
        REDIS_KEY_PREFIX=f"{unique('kill')}:",
    )
    first, second = service_factory(env), service_factory(env)
    keys = [unique(f"fleet-kill-{n}") for n in range(HANDOFFS)]
    zendesk_standin.fail(429, retry_after=12, seconds=12)
    references = await _queue_handoffs(first, keys)
    first.kill()
    assert not first.running

    await _settled_by(second, zendesk_standin, references, keys)
    delivered = [
        r["reference"] for r in second.log_records() if r.get("event") == "outbox.delivered"
    ]
    assert sorted(delivered) == sorted(references)  # each once, all by the survivor
    assert all(create["status"] == 201 for create in zendesk_standin.creates())
