"""The RateLimiter contract (a fixed one-second window), run against every adapter.

Windows are aligned to whole seconds of the backend's clock, so a test that must stay inside one
window first lets time pass to a fresh one when the current one is nearly over (instantly for the
memory adapter's manual clock, really for Redis).
"""

from __future__ import annotations

import asyncio

from application.ports import RateDecision
from tests.support.stores.store_time import fresh_window, next_window

LIMIT = 5


async def test_the_budget_allows_limit_hits_then_refuses(store_backend) -> None:
    limiter = store_backend.rate_limiter(LIMIT)
    await fresh_window(store_backend)
    decisions = [await limiter.hit("client-a") for _ in range(LIMIT + 2)]
    assert [d.allowed for d in decisions] == [True] * LIMIT + [False, False]
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0, 0]
    assert all(d.limit == LIMIT for d in decisions)
    assert all(d.reset_seconds == 1 for d in decisions)


async def test_the_budget_comes_back_in_the_next_window(store_backend) -> None:
    limiter = store_backend.rate_limiter(LIMIT)
    await fresh_window(store_backend)
    for _ in range(LIMIT + 1):
        last = await limiter.hit("client-a")
    assert last.allowed is False
    await next_window(store_backend)
    assert await limiter.hit("client-a") == RateDecision(
        allowed=True, limit=LIMIT, remaining=LIMIT - 1, reset_seconds=1
    )


async def test_clients_have_separate_budgets(store_backend) -> None:
    limiter = store_backend.rate_limiter(LIMIT)
    await fresh_window(store_backend)
    for _ in range(LIMIT + 1):
        await limiter.hit("client-a")
    decision = await limiter.hit("client-b")
    assert decision.allowed is True
    assert decision.remaining == LIMIT - 1


async def test_every_instance_spends_one_shared_budget(store_backend) -> None:
    instances = [store_backend.rate_limiter(LIMIT) for _ in range(3)]
    await fresh_window(store_backend)
    decisions = [await instances[n % 3].hit("client-a") for n in range(LIMIT + 1)]
    assert [d.allowed for d in decisions] == [True] * LIMIT + [False]


async def test_concurrent_hits_are_all_counted(store_backend) -> None:
    limit = 20
    instances = [store_backend.rate_limiter(limit) for _ in range(5)]
    await fresh_window(store_backend, min_left=0.7)
    decisions = await asyncio.gather(*(instances[n % 5].hit("client-a") for n in range(2 * limit)))
    assert sum(d.allowed for d in decisions) == limit
    assert sorted(d.remaining for d in decisions) == [0] * (limit + 1) + list(range(1, limit))


async def test_a_healthy_limiter_reports_healthy(store_backend) -> None:
    assert await store_backend.rate_limiter(LIMIT).check_health() is True
