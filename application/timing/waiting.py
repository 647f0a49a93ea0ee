"""Waiting for another request to finish (the dedup winner, the first idempotent duplicate).

The result appears in a shared store that may live in another process, so waiters poll it.
Pauses start short (most waits are one helpdesk call) and double up to a small cap: a cap of
20 ms keeps a waiter's answer within ~20 ms of the winner's, at the cost of at most 50 store
reads a second per waiter.
"""

from __future__ import annotations

import asyncio

from application.ports import Clock

FIRST_PAUSE_SECONDS = 0.002
MAX_PAUSE_SECONDS = 0.02


class Patience:
    """Pauses of growing length until ``seconds`` have passed on ``clock`` since it was made.

    The deadline is read from the clock's monotonic reading (a wall-clock jump neither ends nor
    stretches a wait), and through the port, so a test decides when patience runs out.
    """

    __slots__ = ("_clock", "_deadline", "_pause")

    def __init__(self, clock: Clock, seconds: float) -> None:
        self._clock = clock
        self._deadline = clock.monotonic() + seconds
        self._pause = FIRST_PAUSE_SECONDS

    def exhausted(self) -> bool:
        return self._clock.monotonic() >= self._deadline

    async def pause(self) -> None:
        await asyncio.sleep(self._pause)
        self._pause = min(self._pause * 2, MAX_PAUSE_SECONDS)
