"""Clocks behind the ``Clock`` port."""

from __future__ import annotations

import time


class SystemClock:
    """The system's clocks: wall-clock time (epoch seconds) and the monotonic clock."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told: for tests of expiry without sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
