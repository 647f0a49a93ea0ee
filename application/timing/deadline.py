"""The one deadline type: the time one hand-off has to be answered in, counted from the
request's arrival, and any other wait bounded in time (waiting for another request's result).

A voice agent waits a fixed time for the webhook (ElevenLabs: 20 s by default), so the whole
hand-off - look-ups, the create, retries, waiting on another instance's claim - shares one
budget instead of each helpdesk call getting its own. No attempt starts that cannot finish
inside it: a call gets at most what is left, and none when too little is left to be useful.
"""

from __future__ import annotations

from application.timing.clock import Clock

# Below this, an attempt could not get an answer from a helpdesk anyway: do not start one.
MIN_ATTEMPT_SECONDS = 0.25


class Deadline:
    """``seconds`` from ``started`` (the clock's monotonic reading at arrival; now if omitted)."""

    __slots__ = ("_clock", "ends")

    def __init__(self, clock: Clock, seconds: float, started: float | None = None) -> None:
        self._clock = clock
        self.ends = (clock.monotonic() if started is None else started) + seconds

    def expired(self) -> bool:
        """True once the deadline has passed: a wait bounded by it stops. Read on the clock's
        monotonic reading, so a wall-clock jump neither ends nor stretches a wait."""
        return self._clock.monotonic() >= self.ends

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(self.ends - self._clock.monotonic(), 0.0)

    def allows(self, seconds: float) -> bool:
        """True when something taking ``seconds`` would still finish inside the deadline."""
        return self.remaining() >= seconds

    def attempt_timeout(self, wanted: float) -> float | None:
        """The timeout for an attempt that would like ``wanted`` seconds: at most what is left,
        or None when what is left is too short to start one (``MIN_ATTEMPT_SECONDS``)."""
        left = self.remaining()
        if left < MIN_ATTEMPT_SECONDS:
            return None
        return min(wanted, left)
