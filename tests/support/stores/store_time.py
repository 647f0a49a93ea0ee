"""Time as the store contract suites see it: each backend says what time it is and lets time
pass (a manual clock for the memory adapters, real time for Redis; see conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

Elapse = Callable[[float], Awaitable[None]]


class StoreTime(Protocol):
    def now(self) -> float: ...

    async def elapse(self, seconds: float) -> None: ...


async def fresh_window(backend: StoreTime, min_left: float = 0.5) -> None:
    """Return with at least ``min_left`` seconds of the current one-second window to go."""
    left = 1.0 - backend.now() % 1.0
    if left < min_left:
        await backend.elapse(left + 0.02)


async def next_window(backend: StoreTime) -> None:
    """Return just after the current one-second window has ended."""
    await backend.elapse(1.0 - backend.now() % 1.0 + 0.02)
