"""/readyz probes the dependencies at most once per READYZ_CACHE_SECONDS, and never lets that
cache hide what a dependency already knows (a failed call, an open circuit)."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from adapters.clock import ManualClock
from adapters.helpdesk.known_health import HealthRecord, Verdict
from adapters.helpdesk.mock import MockHelpdesk
from application.errors import HelpdeskUnavailable
from domain.taxonomy import Category, EscalationReason
from domain.ticket import NewTicket
from entrypoints.http.routes.health import ReadinessChecks, readiness_status
from tests.support.fake_time import FakeTime

TICKET = NewTicket("[WiFi] Help", "No WiFi", Category.WIFI, EscalationReason.CALLER_REQUESTED)


class CountingProbe:
    def __init__(self, healthy: bool = True, delay: float = 0.0) -> None:
        self.calls = 0
        self.healthy = healthy
        self.delay = delay

    async def check_health(self) -> bool:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.healthy


class KnowingProbe(CountingProbe):
    """A probe that also knows its health from the calls it served (as the gateways do)."""

    def __init__(self, healthy: bool = True, records_probes: bool = True) -> None:
        super().__init__(healthy)
        self.record = HealthRecord()
        self._records_probes = records_probes

    async def check_health(self) -> bool:
        healthy = await super().check_health()
        if self._records_probes:
            self.record.record(healthy=healthy)
        return healthy

    def known_health(self) -> Verdict | None:
        return self.record.latest()


class BrokenProbe:
    async def check_health(self) -> bool:
        raise RuntimeError("probe bug")


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


async def test_results_are_reused_within_the_cache_window(clock: FakeTime) -> None:
    helpdesk = CountingProbe()
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=10, clock=clock)
    assert await checks.results() == {"helpdesk": True}
    helpdesk.healthy = False
    clock.now += 9.9
    assert await checks.results() == {"helpdesk": True}
    assert helpdesk.calls == 1
    clock.now += 0.1
    assert await checks.results() == {"helpdesk": False}
    assert helpdesk.calls == 2


async def test_without_a_cache_every_call_probes(clock: FakeTime) -> None:
    helpdesk = CountingProbe()
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=0, clock=clock)
    await checks.results()
    helpdesk.healthy = False
    assert await checks.results() == {"helpdesk": False}
    assert helpdesk.calls == 2


async def test_concurrent_callers_share_one_probe_round() -> None:
    helpdesk = CountingProbe(delay=0.02)
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=60)
    results = await asyncio.gather(*(checks.results() for _ in range(10)))
    assert helpdesk.calls == 1
    assert all(r == {"helpdesk": True} for r in results)


async def test_a_probe_with_a_bug_is_unhealthy_and_logged_as_one() -> None:
    checks = ReadinessChecks({"helpdesk": CountingProbe(), "store": BrokenProbe()}, 0)
    with capture_logs() as logs:
        assert await checks.results() == {"helpdesk": True, "store": False}
    (event,) = [e for e in logs if e["event"] == "readyz.probe_failed"]
    assert (event["check"], event["log_level"]) == ("store", "error")
    assert event["exc_info"] is True


async def test_a_known_failure_is_never_hidden_by_the_cache(clock: FakeTime) -> None:
    helpdesk = KnowingProbe()
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=10, clock=clock)
    assert await checks.results() == {"helpdesk": True}
    helpdesk.record.record(healthy=False)  # a real call has just failed
    assert await checks.results() == {"helpdesk": False}
    assert helpdesk.calls == 1  # known, not probed


async def test_a_call_that_succeeds_after_a_failed_probe_reads_healthy_at_once(
    clock: FakeTime,
) -> None:
    helpdesk = KnowingProbe(healthy=False)
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=10, clock=clock)
    assert await checks.results() == {"helpdesk": False}
    helpdesk.record.record(healthy=True)
    assert await checks.results() == {"helpdesk": True}
    assert helpdesk.calls == 1


async def test_an_old_success_does_not_overrule_a_newer_failed_probe(clock: FakeTime) -> None:
    helpdesk = KnowingProbe(healthy=False, records_probes=False)  # as a probe cut off by timeout
    helpdesk.record.record(healthy=True)
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=10, clock=clock)
    assert await checks.results() == {"helpdesk": False}


async def test_the_mock_helpdesk_failing_a_hand_off_turns_readiness_unhealthy_at_once(
    clock: FakeTime,
) -> None:
    helpdesk = MockHelpdesk(ManualClock())
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=10, clock=clock)
    assert await checks.results() == {"helpdesk": True}
    helpdesk.healthy = False
    with pytest.raises(HelpdeskUnavailable):
        await helpdesk.create_ticket(TICKET)
    assert await checks.results() == {"helpdesk": False}
    helpdesk.healthy = True
    await helpdesk.create_ticket(TICKET)
    assert await checks.results() == {"helpdesk": True}


@pytest.mark.parametrize(
    ("results", "queueing", "verdict"),
    [
        ({"helpdesk": True}, True, ("ready", 200)),
        ({"helpdesk": True, "outbox": True}, False, ("ready", 200)),
        ({"helpdesk": False, "outbox": True}, True, ("degraded", 200)),
        ({"helpdesk": False, "outbox": True, "store": True}, True, ("degraded", 200)),
        ({"helpdesk": False, "outbox": False}, True, ("unavailable", 503)),
        ({"helpdesk": True, "outbox": False}, True, ("unavailable", 503)),
        ({"helpdesk": False, "outbox": True, "store": False}, True, ("unavailable", 503)),
        ({"helpdesk": False, "outbox": True}, False, ("unavailable", 503)),
    ],
)
def test_a_helpdesk_outage_only_degrades_a_bridge_that_can_still_queue(
    results: dict[str, bool], queueing: bool, verdict: tuple[str, int]
) -> None:
    assert readiness_status(results, queueing) == verdict
