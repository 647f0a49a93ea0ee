"""Waiting for another request to finish (the dedup winner, the first idempotent duplicate).

The result appears in a shared store that may live in another process, so waiters poll it.
Pauses start short (most waits are one helpdesk call) and double up to a small cap: a cap of
20 ms keeps a waiter's answer within ~20 ms of the winner's, at the cost of at most 50 store
reads a second per waiter.
"""

from __future__ import annotations

import asyncio
import time

FIRST_PAUSE_SECONDS = 0.002
MAX_PAUSE_SECONDS = 0.02


class Patience:
    """Pauses of growing length until ``seconds`` have passed since it was made."""

    __slots__ = ("_deadline", "_pause")

    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds
        self._pause = FIRST_PAUSE_SECONDS

    def exhausted(self) -> bool:
        return time.monotonic() >= self._deadline

    async def pause(self) -> None:
        await asyncio.sleep(self._pause)
        self._pause = min(self._pause * 2, MAX_PAUSE_SECONDS)
