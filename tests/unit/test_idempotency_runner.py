"""IdempotentRunner: once per key, replay byte for byte, conflict on a different payload."""

from __future__ import annotations

import asyncio

import pytest

from adapters.stores.memory import MemoryIdempotencyStore
from application.errors import IdempotencyConflict, IdempotencyInProgress
from application.idempotency import IdempotentRunner
from application.ports import StoredResponse


class Counter:
    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.calls = 0
        self.status = status
        self.delay = delay

    async def __call__(self) -> StoredResponse:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return StoredResponse(self.status, f"body-{self.calls}".encode())


async def test_same_key_same_payload_replays(idempotency_store: MemoryIdempotencyStore) -> None:
    runner, action = IdempotentRunner(idempotency_store), Counter()
    first, replayed_first = await runner.run("k", "fp", action)
    second, replayed_second = await runner.run("k", "fp", action)
    assert (replayed_first, replayed_second) == (False, True)
    assert first == second
    assert action.calls == 1


async def test_same_key_other_payload_conflicts(idempotency_store: MemoryIdempotencyStore) -> None:
    runner = IdempotentRunner(idempotency_store)
    await runner.run("k", "fp-1", Counter())
    with pytest.raises(IdempotencyConflict):
        await runner.run("k", "fp-2", Counter())


async def test_concurrent_duplicates_run_once(idempotency_store: MemoryIdempotencyStore) -> None:
    runner, action = IdempotentRunner(idempotency_store), Counter(delay=0.02)
    results = await asyncio.gather(*(runner.run("k", "fp", action) for _ in range(10)))
    assert action.calls == 1
    assert len({response for response, _ in results}) == 1
    assert sum(not replayed for _, replayed in results) == 1


async def test_failures_are_not_stored(idempotency_store: MemoryIdempotencyStore) -> None:
    runner = IdempotentRunner(idempotency_store)

    async def boom() -> StoredResponse:
        raise RuntimeError("helpdesk down")

    with pytest.raises(RuntimeError):
        await runner.run("k", "fp", boom)
    error = Counter(status=503)
    await runner.run("k", "fp", error)
    ok = Counter()
    response, replayed = await runner.run("k", "fp", ok)
    assert (response.status, replayed, ok.calls, error.calls) == (200, False, 1, 1)


async def test_a_stuck_duplicate_gives_up(idempotency_store: MemoryIdempotencyStore) -> None:
    await idempotency_store.begin("k", "fp", lease_seconds=60)
    runner = IdempotentRunner(idempotency_store, wait_seconds=0.05)
    with pytest.raises(IdempotencyInProgress):
        await runner.run("k", "fp", Counter())
