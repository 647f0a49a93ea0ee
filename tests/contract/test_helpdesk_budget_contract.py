"""The HelpdeskBudget contract, run against every adapter: the helpdesk's Retry-After remembered
for every instance (a later end wins), and the optional pace (calls per minute, a burst of one
second's share, then one call per interval; a refused call takes nothing) - one budget for the
whole fleet.

Each backend hands out *instances* over its one shared state, standing for processes of the
bridge: the memory adapter on a manual clock (one object: its state lives in one process), the
Redis adapter on a real server (a new client per instance, under a namespace unique to the
test), whose pace runs on the server's clock - so its tests let real time pass, briefly.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import redis.asyncio

from adapters.clock import ManualClock
from adapters.stores.memory_budget import MemoryHelpdeskBudget
from adapters.stores.redis.budget import RedisHelpdeskBudget
from application.errors import StoreUnavailable
from entrypoints.bootstrap.redis_client import redis_client
from entrypoints.config.settings import RedisSettings

Budget = MemoryHelpdeskBudget | RedisHelpdeskBudget


class MemoryBudgets:
    def __init__(self) -> None:
        self._clock = ManualClock()
        self._budgets: dict[int | None, MemoryHelpdeskBudget] = {}

    def budget(self, per_minute: int | None = None) -> Budget:
        return self._budgets.setdefault(
            per_minute, MemoryHelpdeskBudget(self._clock, per_minute=per_minute)
        )

    async def elapse(self, seconds: float) -> None:
        self._clock.advance(seconds)

    async def aclose(self) -> None:
        return None


class RedisBudgets:
    def __init__(self, url: str) -> None:
        self._settings = RedisSettings(url=url, socket_timeout_seconds=2.0)
        self._namespace = f"hdb-test:{uuid.uuid4().hex}:"
        self._clients: list[redis.asyncio.Redis] = []

    def budget(self, per_minute: int | None = None) -> Budget:
        client = redis_client(self._settings)
        self._clients.append(client)
        return RedisHelpdeskBudget(client, self._namespace, per_minute=per_minute)

    async def elapse(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def aclose(self) -> None:
        if self._clients:
            await self._clients[0].delete(
                *(f"{self._namespace}budget:{name}" for name in ("blocked", "pace"))
            )
        for client in self._clients:
            await client.aclose()


Budgets = MemoryBudgets | RedisBudgets
BACKENDS: dict[str, Callable[[pytest.FixtureRequest], Budgets]] = {
    "memory": lambda _request: MemoryBudgets(),
    "redis": lambda request: RedisBudgets(request.getfixturevalue("redis_url")),
}


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def budgets(request: pytest.FixtureRequest) -> AsyncIterator[Budgets]:
    backend = BACKENDS[request.param](request)
    yield backend
    await backend.aclose()  # runs after a failed test too


async def test_a_fresh_budget_blocks_nothing_and_an_unpaced_one_grants_every_call(
    budgets: Budgets,
) -> None:
    budget = budgets.budget()
    assert await budget.blocked_for() == 0.0
    assert [await budget.take() for _ in range(50)] == [0.0] * 50


async def test_a_retry_after_is_seen_by_every_instance(budgets: Budgets) -> None:
    first, other = budgets.budget(), budgets.budget()
    await first.back_off(2.0)
    assert 1.5 < await other.blocked_for() <= 2.0


async def test_a_later_end_wins_an_earlier_never_shortens_it(budgets: Budgets) -> None:
    first, other = budgets.budget(), budgets.budget()
    await first.back_off(2.0)
    await other.back_off(0.5)
    assert await first.blocked_for() > 1.5
    await other.back_off(3.0)
    assert await first.blocked_for() > 2.5


async def test_a_retry_after_ends(budgets: Budgets) -> None:
    budget = budgets.budget()
    await budget.back_off(0.3)
    await budgets.elapse(0.4)
    assert await budget.blocked_for() == 0.0


async def test_the_pace_grants_a_burst_then_says_how_long_to_wait(budgets: Budgets) -> None:
    instances = [budgets.budget(per_minute=120) for _ in range(3)]  # 0.5 s apart, burst 2
    waits = [await instances[n % 3].take() for n in range(3)]
    assert waits[:2] == [0.0, 0.0]
    assert 0.3 < waits[2] <= 0.5


async def test_a_refused_call_takes_nothing(budgets: Budgets) -> None:
    budget = budgets.budget(per_minute=120)
    await budget.take()
    await budget.take()
    wait = await budget.take()
    assert wait > 0
    await budgets.elapse(wait + 0.02)
    assert await budget.take() == 0.0  # the refused take did not push the next slot back
    assert await budget.take() > 0.3  # and this one took the slot


async def test_concurrent_calls_share_one_pace(budgets: Budgets) -> None:
    instances = [budgets.budget(per_minute=180) for _ in range(4)]  # burst 3
    waits = await asyncio.gather(*(instances[n % 4].take() for n in range(20)))
    assert sum(wait == 0.0 for wait in waits) == 3


@pytest.mark.parametrize("per_minute", [0, -5])
def test_a_pace_below_one_call_a_minute_is_refused(per_minute: int) -> None:
    with pytest.raises(ValueError, match="HELPDESK_RATE_LIMIT_PER_MINUTE"):
        MemoryHelpdeskBudget(ManualClock(), per_minute=per_minute)


async def test_a_healthy_budget_reports_healthy(budgets: Budgets) -> None:
    assert await budgets.budget().check_health() is True


@pytest.mark.parametrize(
    "operation",
    [lambda b: b.blocked_for(), lambda b: b.back_off(1.0), lambda b: b.take()],
    ids=["blocked_for", "back_off", "take"],
)
async def test_a_budget_without_its_redis_says_store_unavailable(
    operation: Callable[[RedisHelpdeskBudget], Awaitable[object]],
) -> None:
    """What lets a helpdesk call go ahead unpaced (``adapters.helpdesk.resilience.pacing``): the
    port's error, never redis-py's."""
    settings = RedisSettings(url="redis://127.0.0.1:1/0", connect_timeout_seconds=0.2)
    client = redis_client(settings)
    try:
        budget = RedisHelpdeskBudget(client, per_minute=60)
        with pytest.raises(StoreUnavailable):
            await operation(budget)
        assert await budget.check_health() is False
    finally:
        await client.aclose()
