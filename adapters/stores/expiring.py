"""A dict whose entries expire, with memory bounded by a maximum size.

Expired entries are dropped when read and swept a few at a time on writes (in expiry order as
far as insertion order allows), so no request ever pays for a full scan; when the map is full
the oldest entry is evicted.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

from application.ports import Clock

V = TypeVar("V")

SWEEP_PER_WRITE = 4


class ExpiringDict(Generic[V]):
    """key -> value with a per-entry deadline (epoch seconds from the injected clock)."""

    __slots__ = ("_clock", "_data", "_max", "_order")

    def __init__(self, clock: Clock, max_entries: int) -> None:
        self._clock = clock
        self._max = max_entries
        self._data: dict[str, tuple[V, float]] = {}
        self._order: deque[tuple[float, str]] = deque()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str) -> V | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[1] <= self._clock.now():
            del self._data[key]
            return None
        return entry[0]

    def set(self, key: str, value: V, ttl_seconds: float) -> None:
        now = self._clock.now()
        deadline = now + ttl_seconds
        self._sweep(now)
        if key not in self._data and len(self._data) >= self._max:
            self._evict_oldest()
        self._data[key] = (value, deadline)
        self._order.append((deadline, key))

    def add(self, key: str, value: V, ttl_seconds: float) -> bool:
        """Set only when absent (or expired); True when set."""
        if self.get(key) is not None:
            return False
        self.set(key, value, ttl_seconds)
        return True

    def pop(self, key: str) -> V | None:
        entry = self._data.pop(key, None)
        return None if entry is None else entry[0]

    def _sweep(self, now: float) -> None:
        order, data = self._order, self._data
        for _ in range(SWEEP_PER_WRITE):
            if not order or order[0][0] > now:
                return
            deadline, key = order.popleft()
            entry = data.get(key)
            if entry is not None and entry[1] == deadline:
                del data[key]

    def _evict_oldest(self) -> None:
        order, data = self._order, self._data
        while order:
            deadline, key = order.popleft()
            entry = data.get(key)
            if entry is not None and entry[1] == deadline:
                del data[key]
                return
