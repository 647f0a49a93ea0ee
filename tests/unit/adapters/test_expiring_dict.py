"""The bounded expiring map under every in-memory store."""

from __future__ import annotations

from adapters.clock import ManualClock
from adapters.stores.expiring import ExpiringDict


def test_entries_expire_at_their_deadline() -> None:
    clock = ManualClock()
    data: ExpiringDict[int] = ExpiringDict(clock, max_entries=10)
    data.set("a", 1, ttl_seconds=10)
    clock.advance(9.9)
    assert data.get("a") == 1
    clock.advance(0.2)
    assert data.get("a") is None
    assert data.add("a", 2, ttl_seconds=10)


def test_expired_entries_are_swept_by_later_writes() -> None:
    clock = ManualClock()
    data: ExpiringDict[int] = ExpiringDict(clock, max_entries=1_000)
    for i in range(100):
        data.set(f"k{i}", i, ttl_seconds=1)
    clock.advance(2)
    for i in range(100):
        data.set(f"n{i}", i, ttl_seconds=100)
    assert len(data) == 100  # the 100 expired ones are gone without being read


def test_memory_is_bounded_by_evicting_the_oldest() -> None:
    clock = ManualClock()
    data: ExpiringDict[int] = ExpiringDict(clock, max_entries=3)
    for i in range(5):
        data.set(f"k{i}", i, ttl_seconds=100)
    assert len(data) == 3
    assert data.get("k0") is None
    assert data.get("k4") == 4


def test_add_refuses_a_live_key() -> None:
    data: ExpiringDict[int] = ExpiringDict(ManualClock(), max_entries=3)
    assert data.add("a", 1, 10)
    assert not data.add("a", 2, 10)
    assert data.get("a") == 1
