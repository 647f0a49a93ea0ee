"""How hard one helpdesk call tries (``RetryPolicy``), and the helpdesk's own word on when to
come back (``Retry-After``): the numbers ``Resilience`` works with, apart from its loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from application.timing.backoff import Backoff

NOT_PROCESSED_STATUSES = frozenset({429, 503})
"""Statuses that say the request was refused before it was processed: always safe to re-send."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try one call.

    ``budget_seconds`` bounds a call made without a hand-off's ``Deadline`` (attempts + pauses);
    with one, the deadline alone bounds it. ``attempt_timeout_seconds`` caps one attempt on top
    of httpx's own connect/read timeouts, so a response that trickles in byte by byte cannot eat
    the time left either.
    """

    budget_seconds: float = 8.0
    attempt_timeout_seconds: float = 5.0
    max_attempts: int = 4
    base_delay_seconds: float = 0.2
    max_delay_seconds: float = 2.0

    def backoff(self, retry_number: int, rng: Callable[[], float]) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**n)] for the n-th retry (0-based)."""
        delays = Backoff(first=self.base_delay_seconds, cap=self.max_delay_seconds)
        return delays.jittered(retry_number, rng)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or garbled."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
