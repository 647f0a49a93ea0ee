"""Scripted outcomes for the resilience tests: no helpdesk, only what one would answer."""

from __future__ import annotations

import httpx

from adapters.helpdesk.circuit import CircuitBreaker
from adapters.helpdesk.resilience import Resilience, RetryPolicy
from tests.fake_time import FakeTime

Outcome = httpx.Response | BaseException


class Script:
    """A ``send`` that plays outcomes in order and counts the calls."""

    def __init__(self, *outcomes: Outcome) -> None:
        self._outcomes = list(outcomes)
        self.calls = 0

    async def __call__(self) -> httpx.Response:
        self.calls += 1
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def resilience(fake_time: FakeTime, threshold: int = 10, **policy: float) -> Resilience:
    return Resilience(
        RetryPolicy(**policy),  # type: ignore[arg-type]
        CircuitBreaker(failure_threshold=threshold, reset_seconds=30.0, clock=fake_time),
        clock=fake_time,
        sleep=fake_time.sleep,
        rng=lambda: 0.5,
    )


def ok() -> httpx.Response:
    return httpx.Response(200, json={})
