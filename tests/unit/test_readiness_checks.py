"""/readyz probes the dependencies at most once per READYZ_CACHE_SECONDS."""

from __future__ import annotations

import asyncio

from entrypoints.http.health import ReadinessChecks


class CountingProbe:
    def __init__(self, healthy: bool = True, delay: float = 0.0) -> None:
        self.calls = 0
        self.healthy = healthy
        self.delay = delay

    async def check_health(self) -> bool:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.healthy


class BrokenProbe:
    async def check_health(self) -> bool:
        raise RuntimeError("probe bug")


async def test_results_are_reused_within_the_cache_window() -> None:
    helpdesk = CountingProbe()
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=60)
    assert await checks.results() == {"helpdesk": True}
    helpdesk.healthy = False
    assert await checks.results() == {"helpdesk": True}
    assert helpdesk.calls == 1


async def test_without_a_cache_every_call_probes() -> None:
    helpdesk = CountingProbe()
    checks = ReadinessChecks({"helpdesk": helpdesk}, cache_seconds=0)
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


async def test_a_probe_that_raises_is_unhealthy_not_an_error() -> None:
    checks = ReadinessChecks({"helpdesk": CountingProbe(), "store": BrokenProbe()}, 0)
    assert await checks.results() == {"helpdesk": True, "store": False}
