"""The ``Clock`` port: time, passed in, so rules, expiry and waits are tested without sleeping.

It lives with the other time types (``Deadline`` reads it) rather than beside the other ports,
so that ``application.timing`` imports nothing of the application; ``application.ports``
re-exports it with the ports.
"""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    """Time, passed in so rules and expiry can be tested without sleeping."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for measuring waits (not a date)."""
        ...
