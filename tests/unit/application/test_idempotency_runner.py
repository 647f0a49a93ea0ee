"""IdempotentRunner: once per key, replay byte for byte, conflict on a different payload."""

from __future__ import annotations

import asyncio

import pytest

from adapters.clock import ManualClock
from adapters.stores.memory import MemoryIdempotencyStore
from application.errors import IdempotencyConflict, IdempotencyInProgress
from application.inputs.idempotency_key import MAX_IDEMPOTENCY_KEY_CHARS, checked_idempotency_key
from application.ports import StoredResponse
from application.timing.deadline import Deadline
from application.use_cases.idempotency import IdempotentRunner
from domain.errors import InvalidInput


class Counter:
    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.calls = 0
        self.status = status
        self.delay = delay

    async def __call__(self) -> StoredResponse:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return StoredResponse(self.status, f"body-{self.calls}".encode())


@pytest.fixture
def runner(idempotency_store: MemoryIdempotencyStore, clock: ManualClock) -> IdempotentRunner:
    return IdempotentRunner(idempotency_store, clock)


async def test_same_key_same_payload_replays(runner: IdempotentRunner) -> None:
    action = Counter()
    first, replayed_first = await runner.run("k", "fp", action)
    second, replayed_second = await runner.run("k", "fp", action)
    assert (replayed_first, replayed_second) == (False, True)
    assert first == second
    assert action.calls == 1


async def test_same_key_other_payload_conflicts(runner: IdempotentRunner) -> None:
    await runner.run("k", "fp-1", Counter())
    with pytest.raises(IdempotencyConflict):
        await runner.run("k", "fp-2", Counter())


async def test_concurrent_duplicates_run_once(runner: IdempotentRunner) -> None:
    action = Counter(delay=0.02)
    results = await asyncio.gather(*(runner.run("k", "fp", action) for _ in range(10)))
    assert action.calls == 1
    assert len({response for response, _ in results}) == 1
    assert sum(not replayed for _, replayed in results) == 1


async def test_failures_are_not_stored(runner: IdempotentRunner) -> None:

    async def boom() -> StoredResponse:
        raise RuntimeError("helpdesk down")

    with pytest.raises(RuntimeError):
        await runner.run("k", "fp", boom)
    error = Counter(status=503)
    await runner.run("k", "fp", error)
    ok = Counter()
    response, replayed = await runner.run("k", "fp", ok)
    assert (response.status, replayed, ok.calls, error.calls) == (200, False, 1, 1)


@pytest.mark.parametrize(
    ("wait_seconds", "deadline_seconds", "gives_up_after"),
    [(5.0, None, 5.0), (15.0, 3.0, 3.0)],  # its own patience, or the hand-off's deadline
)
async def test_a_stuck_duplicate_gives_up_when_its_clock_says_so(
    idempotency_store: MemoryIdempotencyStore,
    clock: ManualClock,
    wait_seconds: float,
    deadline_seconds: float | None,
    gives_up_after: float,
) -> None:
    await idempotency_store.begin("k", "fp", lease_seconds=60)
    runner = IdempotentRunner(idempotency_store, clock, wait_seconds=wait_seconds)
    deadline = None if deadline_seconds is None else Deadline(clock, deadline_seconds)
    waiter = asyncio.create_task(runner.run("k", "fp", Counter(), deadline))
    await asyncio.sleep(0.01)
    clock.advance(gives_up_after - 0.5)
    await asyncio.sleep(0.01)
    assert not waiter.done()  # the wait is measured on the clock, not on the wall
    clock.advance(0.5)
    with pytest.raises(IdempotencyInProgress):
        await waiter


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        ("order-1", True),
        ("k" * MAX_IDEMPOTENCY_KEY_CHARS, True),
        ("k" * (MAX_IDEMPOTENCY_KEY_CHARS + 1), False),
        ("", False),
        ("tab\tinside", False),
    ],
)
def test_idempotency_keys_are_short_printable_text(key: str, accepted: bool) -> None:
    if accepted:
        assert checked_idempotency_key(key) == key
    else:
        with pytest.raises(InvalidInput) as error:
            checked_idempotency_key(key)
        assert list(error.value.field_errors) == ["Idempotency-Key"]
