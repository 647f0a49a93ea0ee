"""The circuit breaker every helpdesk backend's ``Resilience`` owns.

A dead helpdesk must not cost every caller the whole retry budget: after enough consecutive
failed attempts the circuit opens and calls fail at once; after ``reset_seconds`` one trial call
is let through to decide whether to close it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

import structlog

Monotonic = Callable[[], float]


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Consecutive-failure breaker with a single trial call in the half-open state.

    ``clock`` is a monotonic seconds source, injected so tests can open and close the circuit
    without sleeping. Not thread-safe; one event loop uses it.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_seconds: float = 30.0,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self._threshold = failure_threshold
        self._reset = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._state = CircuitState.CLOSED
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        """The state now (an open circuit past its reset time reads as half-open)."""
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self._reset:
            return CircuitState.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """May a request go out now? In half-open, only one trial at a time."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.OPEN or self._trial_in_flight:
            return False
        self._state = CircuitState.HALF_OPEN
        self._trial_in_flight = True
        return True

    def record_success(self) -> None:
        if self._state is not CircuitState.CLOSED:
            structlog.get_logger(__name__).info("helpdesk.circuit_closed")
        self._failures = 0
        self._state = CircuitState.CLOSED
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        self._trial_in_flight = False
        if self._state is CircuitState.HALF_OPEN or self._failures >= self._threshold:
            if self._state is not CircuitState.OPEN:
                structlog.get_logger(__name__).warning(
                    "helpdesk.circuit_opened", failures=self._failures
                )
            self._state = CircuitState.OPEN
            self._opened_at = self._clock()

    def release_trial(self) -> None:
        """The trial ended without a verdict (cancelled, or a 429): let another trial go out."""
        self._trial_in_flight = False
