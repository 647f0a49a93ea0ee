"""A monotonic clock for resilience tests: it moves only when the code under test sleeps (or a
test moves it), so retries, backoff and the circuit breaker run in microseconds."""

from __future__ import annotations


class FakeTime:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
