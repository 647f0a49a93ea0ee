"""``HelpdeskBudget`` in process memory: the embedded default for one process, and the fake for
use-case tests (on a manual clock).

The pace is GCRA (the "generic cell rate algorithm"): calls are spread one per
``60 / per_minute`` seconds, with a burst of one second's share (at least one call) allowed at
once, so a spike of hand-offs neither waits behind a rigid spacing nor spends a minute's budget
in a moment. Its whole state is one number, the theoretical arrival time of the next call
(``tat``): a call is granted when ``now >= tat - burst tolerance``, and then moves ``tat`` on by
one interval. A refused call takes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from application.ports import Clock


@dataclass(frozen=True, slots=True)
class Pace:
    """``per_minute`` calls a minute as GCRA's two numbers, in seconds."""

    interval: float
    tolerance: float

    @classmethod
    def per_minute(cls, calls: int) -> Pace:
        if calls < 1:
            raise ValueError("HELPDESK_RATE_LIMIT_PER_MINUTE must be at least 1")
        interval = 60.0 / calls
        burst = max(1, math.ceil(calls / 60))
        return cls(interval=interval, tolerance=interval * (burst - 1))


class MemoryHelpdeskBudget:
    """The helpdesk's remembered Retry-After and the optional pace (None: unpaced), on
    ``clock``'s monotonic time. Nothing here awaits, so every operation is atomic on the loop."""

    def __init__(self, clock: Clock, per_minute: int | None = None) -> None:
        self._clock = clock
        self._pace = Pace.per_minute(per_minute) if per_minute is not None else None
        self._blocked_until = 0.0
        self._tat = 0.0

    async def blocked_for(self) -> float:
        return max(0.0, self._blocked_until - self._clock.monotonic())

    async def back_off(self, seconds: float) -> None:
        self._blocked_until = max(self._blocked_until, self._clock.monotonic() + seconds)

    async def take(self) -> float:
        pace = self._pace
        if pace is None:
            return 0.0
        now = self._clock.monotonic()
        tat = max(self._tat, now)
        allowed_at = tat - pace.tolerance
        if now < allowed_at:
            return allowed_at - now
        self._tat = tat + pace.interval
        return 0.0

    async def check_health(self) -> bool:
        return True
