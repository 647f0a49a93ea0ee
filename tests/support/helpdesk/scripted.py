"""Scripted outcomes for the resilience tests: no helpdesk, only what one would answer, on a fake
clock that the code under test cannot tell from real time - its sleeps, its per-attempt caps
(``asyncio.timeout``'s stand-in) and the ``Clock`` its ``Deadline`` reads all move one
``FakeTime``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpx

from adapters.helpdesk.resilience.attempt import Timeout
from adapters.helpdesk.resilience.calls import Resilience, RetryPolicy
from adapters.helpdesk.resilience.circuit import CircuitBreaker
from application.ports import HelpdeskBudget
from application.timing.deadline import Deadline
from tests.support.fake_time import FakeTime

_CAP: ContextVar[float | None] = ContextVar("attempt_cap", default=None)


class FakeClock:
    """The ``Clock`` port on a ``FakeTime``: what a ``Deadline`` or a budget reads."""

    def __init__(self, time: FakeTime) -> None:
        self._time = time

    def now(self) -> float:
        return self._time.now

    def monotonic(self) -> float:
        return self._time.now


def deadline(time: FakeTime, seconds: float) -> Deadline:
    """A hand-off's deadline, ``seconds`` from now on the fake clock."""
    return Deadline(FakeClock(time), seconds)


def fake_timeout(time: FakeTime) -> Timeout:
    """``asyncio.timeout`` on the fake clock: a ``Slow`` answer inside it is cut at the cap."""

    @asynccontextmanager
    async def timeout(seconds: float) -> AsyncIterator[None]:
        token = _CAP.set(time.now + seconds)
        try:
            yield
        finally:
            _CAP.reset(token)

    return timeout


@dataclass(frozen=True)
class Slow:
    """The helpdesk needs ``seconds`` before it answers with ``then``."""

    seconds: float
    then: httpx.Response | BaseException


Outcome = httpx.Response | BaseException | Slow


class Script:
    """A ``send`` that plays outcomes in order and counts the calls (``time``: for ``Slow``)."""

    def __init__(self, *outcomes: Outcome, time: FakeTime | None = None) -> None:
        self._outcomes = list(outcomes)
        self._time = time
        self.calls = 0
        self.started: list[float] = []  # when each attempt began, on the fake clock

    async def __call__(self) -> httpx.Response:
        self.calls += 1
        if self._time is not None:
            self.started.append(self._time.now)
        outcome = self._outcomes.pop(0)
        if isinstance(outcome, Slow):
            assert self._time is not None, "a Slow outcome needs the script's time"
            cap = _CAP.get()
            if cap is not None and self._time.now + outcome.seconds > cap:
                self._time.now = cap
                raise TimeoutError
            self._time.now += outcome.seconds
            outcome = outcome.then
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def resilience(
    fake_time: FakeTime,
    threshold: int = 10,
    budget: HelpdeskBudget | None = None,
    **policy: float,
) -> Resilience:
    return Resilience(
        RetryPolicy(**policy),  # type: ignore[arg-type]
        CircuitBreaker(failure_threshold=threshold, reset_seconds=30.0, clock=fake_time),
        budget=budget,
        clock=fake_time,
        sleep=fake_time.sleep,
        rng=lambda: 0.5,
        timeout=fake_timeout(fake_time),
    )


def ok() -> httpx.Response:
    return httpx.Response(200, json={})
