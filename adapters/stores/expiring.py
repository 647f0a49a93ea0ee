"""A dict whose entries expire, with memory bounded by a maximum size.

Expired entries are dropped when read and swept a few at a time on writes (in expiry order as
far as insertion order allows), so no request ever pays for a full scan; when the map is full
the oldest entry is evicted.

Memory per key matters (the dedup index holds millions): the insertion-order queue holds each
key once (the key string itself, shared with the dict: 8 bytes), not a (deadline, key) tuple per
write, and ``set_many`` stores one (value, deadline) pair for all the keys of one write.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Generic, TypeVar

from application.ports import Clock

V = TypeVar("V")

SWEEP_PER_WRITE = 4


class ExpiringDict(Generic[V]):
    """key -> value with a per-entry deadline (epoch seconds from the injected clock)."""

    __slots__ = ("_clock", "_data", "_max", "_order", "evicted_at")

    def __init__(self, clock: Clock, max_entries: int) -> None:
        self._clock = clock
        self._max = max_entries
        self._data: dict[str, tuple[V, float]] = {}
        self._order: deque[str] = deque()  # keys in first-insertion order
        self.evicted_at: float | None = None
        """When a live entry was last evicted to make room (None: never): since then the map
        may lack something it was given."""

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
        self.set_many((key,), value, ttl_seconds)

    def set_many(self, keys: Iterable[str], value: V, ttl_seconds: float) -> None:
        """Set every key to ``value`` with one deadline (one shared entry, not one per key)."""
        now = self._clock.now()
        entry = (value, now + ttl_seconds)
        self._sweep(now)
        data = self._data
        for key in keys:
            if key not in data:
                if len(data) >= self._max:
                    self._evict_oldest()
                self._order.append(key)
            data[key] = entry

    def spread(self, source: str, keys: Iterable[str]) -> None:
        """Put ``source``'s live entry, with its deadline, under those ``keys`` that hold nothing
        live (one shared entry, so the keys expire together)."""
        entry = self._data.get(source)
        if entry is None or entry[1] <= self._clock.now():
            return
        data = self._data
        for key in keys:
            if self.get(key) is None:
                if len(data) >= self._max:
                    self._evict_oldest()
                self._order.append(key)
                data[key] = entry

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
        """Drop up to SWEEP_PER_WRITE expired (or already removed) keys from the queue's head;
        stop at the first live one."""
        order, data = self._order, self._data
        for _ in range(SWEEP_PER_WRITE):
            if not order:
                return
            key = order[0]
            entry = data.get(key)
            if entry is not None:
                if entry[1] > now:
                    return
                del data[key]
            order.popleft()

    def _evict_oldest(self) -> None:
        order, data = self._order, self._data
        now = self._clock.now()
        while order:
            entry = data.pop(order.popleft(), None)
            if entry is not None:
                if entry[1] > now:
                    self.evicted_at = now
                return
