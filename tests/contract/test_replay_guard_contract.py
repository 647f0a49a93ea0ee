"""The ReplayGuard contract, run against every adapter (see conftest.py)."""

from __future__ import annotations

import asyncio

from application.ports import ReplayGuard
from tests.support.stores.store_time import Elapse

SIGNATURE = "t=1700000000,v0=3f5a9c"
WINDOW = 300.0
SHORT = 0.2
PAST_SHORT = 0.35


async def test_a_signature_is_accepted_once(replay_guard: ReplayGuard) -> None:
    assert await replay_guard.first_use(SIGNATURE, WINDOW) is True
    assert await replay_guard.first_use(SIGNATURE, WINDOW) is False
    assert await replay_guard.first_use(SIGNATURE, WINDOW) is False


async def test_signatures_are_independent(replay_guard: ReplayGuard) -> None:
    assert await replay_guard.first_use(SIGNATURE, WINDOW) is True
    assert await replay_guard.first_use(SIGNATURE + "0", WINDOW) is True


async def test_a_signature_is_forgotten_after_its_window(
    replay_guard: ReplayGuard, elapse: Elapse
) -> None:
    assert await replay_guard.first_use(SIGNATURE, SHORT) is True
    assert await replay_guard.first_use(SIGNATURE, SHORT) is False
    await elapse(PAST_SHORT)
    assert await replay_guard.first_use(SIGNATURE, WINDOW) is True


async def test_a_refused_replay_does_not_extend_the_window(
    replay_guard: ReplayGuard, elapse: Elapse
) -> None:
    assert await replay_guard.first_use(SIGNATURE, SHORT) is True
    await elapse(SHORT / 2)
    assert await replay_guard.first_use(SIGNATURE, WINDOW) is False
    await elapse(PAST_SHORT - SHORT / 2)
    assert await replay_guard.first_use(SIGNATURE, WINDOW) is True


async def test_of_fifty_concurrent_deliveries_exactly_one_is_accepted(store_backend) -> None:
    instances = [store_backend.replay_guard() for _ in range(5)]
    start = asyncio.Event()

    async def deliver(n: int) -> bool:
        await start.wait()
        return await instances[n % len(instances)].first_use(SIGNATURE, WINDOW)

    tasks = [asyncio.create_task(deliver(n)) for n in range(50)]
    await asyncio.sleep(0)
    start.set()
    accepted = await asyncio.gather(*tasks)
    assert accepted.count(True) == 1


async def test_a_healthy_guard_reports_healthy(replay_guard) -> None:
    assert await replay_guard.check_health() is True
