"""The one backoff formula: pauses doubling from ``first`` up to ``cap``.

Three kinds of wait use it, each with its own numbers: polling a shared store for another
request's result (``POLL_PAUSES``), a queued hand-off's next delivery attempt (the delivery use
case) and a helpdesk call's retries (the adapters' ``RetryPolicy``, with full jitter so that many
bridges retrying at once do not stampede the helpdesk).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import msgspec


class Backoff(msgspec.Struct, frozen=True):
    """Pauses doubling from ``first`` seconds, never longer than ``cap``."""

    first: float
    cap: float

    def delay(self, n: int) -> float:
        """The ``n``-th pause (0-based; a negative ``n`` counts as 0): ``first * 2**n``, at most
        ``cap``."""
        return min(self.first * 2.0 ** max(n, 0), self.cap)

    def jittered(self, n: int, rng: Callable[[], float]) -> float:
        """Full jitter: the ``n``-th pause scaled by ``rng()`` (uniform in [0, 1)), so it is
        uniform in [0, ``delay(n)``]."""
        return rng() * self.delay(n)

    def delays(self) -> Iterator[float]:
        """The pauses of one wait, in order: ``delay(0)``, ``delay(1)``, ..."""
        return map(self.delay, itertools.count())


POLL_PAUSES = Backoff(first=0.002, cap=0.02)
"""Waiting for another request to finish (the dedup winner, the first idempotent duplicate, a
call event being recorded). The result appears in a shared store that may live in another
process, so waiters poll it: pauses start short (most waits are one helpdesk call) and double up
to a small cap - 20 ms keeps a waiter's answer within ~20 ms of the winner's, at the cost of at
most 50 store reads a second per waiter. The wait itself is bounded by a ``Deadline``."""
