"""What a caller and an orchestrator see while the helpdesk is down, per HELPDESK_DOWN_POLICY, and
when the outbox itself cannot keep anything (issue 10, "Done when": the last two items).

- ``fail``: the spec's 503 ``HELPDESK_UNAVAILABLE``, its ``Retry-After`` the helpdesk's own
  number in the header and the body alike, and ``/readyz`` 503.
- ``queue``: 202 queued inside the deadline, and ``/readyz`` 200 ``degraded`` (the helpdesk
  unhealthy, the outbox healthy), so the instance stays in rotation.
- The outbox unavailable (its SQLite file cannot be created, or Redis is gone) while the
  helpdesk is down: 503 ``STORE_UNAVAILABLE``, never a 202 for a hand-off that was not kept.

Real processes: ``helpdesk-bridge serve`` against the Zendesk stand-in (faults on command) and,
for the Redis case, a private ``redis-server`` this test stops.
"""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest

from tests.support.e2e import faults
from tests.support.e2e.faults import redis_server as redis_server
from tests.support.e2e.processes import ServiceFactory, ServiceProcess
from tests.support.e2e.requests import assert_error, unique
from tests.support.standin.client import StandinProcess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

HELPDESK_RETRY_AFTER = 30


async def _in_turn(
    bridge: ServiceProcess, prefix: str, count: int
) -> tuple[list[tuple[httpx.Response, float]], httpx.Response]:
    """``count`` distinct hand-offs one after the other, then ``/readyz``."""
    async with bridge.client() as client:
        answers = [
            await faults.timed_handoff(client, faults.problem(unique(prefix))) for _ in range(count)
        ]
        return answers, await client.get("/readyz")


async def test_fail_policy_answers_the_specs_503_with_the_helpdesks_retry_after(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    bridge = service_factory(
        faults.bridge_env(zendesk_standin, HELPDESK_DOWN_POLICY="fail", READYZ_CACHE_SECONDS="0")
    )
    zendesk_standin.fail(503, retry_after=HELPDESK_RETRY_AFTER)
    answers, ready = await _in_turn(bridge, "down-fail", 3)
    for response, seconds in answers:
        body = assert_error(response, 503, "HELPDESK_UNAVAILABLE")
        assert seconds < faults.DEADLINE_SECONDS
        pause = int(response.headers["retry-after"])
        # The helpdesk asked for 30 s (less what has passed since, for the later hand-offs
        # that read the remembered wait): header and body say one number.
        assert HELPDESK_RETRY_AFTER - 5 <= pause <= HELPDESK_RETRY_AFTER, response.headers
        said = (body.get("details") or {}).get("retryAfterSeconds")
        if said is not None:  # the hand-off that heard the helpdesk's 503 quotes it
            assert pause == math.ceil(said), body
    first = answers[0][0].json()
    assert first["details"]["retryAfterSeconds"] == HELPDESK_RETRY_AFTER, first
    assert ready.status_code == 503, ready.text
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["checks"]["helpdesk"] == "unhealthy"
    assert "outbox" not in ready.json()["checks"]  # nothing is queued with `fail`
    assert zendesk_standin.tickets() == []


async def test_queue_policy_queues_and_stays_ready_but_degraded(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    bridge = service_factory(faults.bridge_env(zendesk_standin, READYZ_CACHE_SECONDS="0"))
    async with bridge.client() as client:
        assert (await client.get("/readyz")).json()["status"] == "ready"
    zendesk_standin.fail(503, retry_after=HELPDESK_RETRY_AFTER)
    answers, ready = await _in_turn(bridge, "down-queue", 3)
    for response, seconds in answers:
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "queued"
        assert seconds < faults.DEADLINE_SECONDS
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["helpdesk"] == "unhealthy"
    assert ready.json()["checks"]["outbox"] == "healthy"


@pytest.mark.parametrize("outbox", ["sqlite-under-a-file", "redis-stopped"])
async def test_an_outbox_that_cannot_keep_the_handoff_answers_503_never_202(
    outbox: str,
    zendesk_standin: StandinProcess,
    service_factory: ServiceFactory,
    redis_server: faults.RedisServer,
    tmp_path: Path,
) -> None:
    if outbox == "sqlite-under-a-file":
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("a file where the outbox's directory should be\n")
        env = {"OUTBOX_PATH": str(blocker / "outbox.sqlite3")}
    else:
        env = {"STORE_BACKEND": "redis", "REDIS_URL": redis_server.url}
    bridge = service_factory(faults.bridge_env(zendesk_standin, READYZ_CACHE_SECONDS="0", **env))
    if outbox == "redis-stopped":
        redis_server.stop()
    zendesk_standin.fail(500)
    answers, ready = await _in_turn(bridge, "no-outbox", 4)
    for response, seconds in answers:
        assert_error(response, 503, "STORE_UNAVAILABLE", rate_headers=outbox != "redis-stopped")
        assert seconds < faults.DEADLINE_SECONDS
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"]["outbox"] == "unhealthy"
    assert zendesk_standin.tickets() == []
