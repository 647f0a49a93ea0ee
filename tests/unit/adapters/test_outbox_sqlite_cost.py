"""The SQLite outbox's ``put`` does the same work however many hand-offs are queued: during a
long outage every new hand-off is a put, and a dedup check that walked the queued items made
each one slower than the last (the queue path fell as the outbox grew)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from adapters.outbox import sqlite_tables as tables
from application.ports import QueuedHandoff


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    tables.create_schema(connection)
    yield connection
    connection.close()


def _item(n: int) -> QueuedHandoff:
    return QueuedHandoff(
        reference=f"HB-{n:06d}",
        problem=b"{}",
        dedup_keys=(f"oa:{n}", f"caller:{n}"),
        queued_at=1_000.0 + n,
    )


def _steps_of_one_put(conn: sqlite3.Connection, n: int) -> int:
    """SQLite virtual-machine steps (counted every 10) spent by one ``put`` of a new item."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # carry on

    conn.set_progress_handler(count, 10)
    try:
        assert tables.put(conn, _item(n)).reference == _item(n).reference  # kept, not a dedup
    finally:
        conn.set_progress_handler(None, 0)
    return steps


def test_a_put_costs_the_same_with_100_or_3000_items_queued(conn: sqlite3.Connection) -> None:
    for n in range(100):
        tables.put(conn, _item(n))
    with_100 = _steps_of_one_put(conn, 100)
    for n in range(101, 3_000):
        tables.put(conn, _item(n))
    with_3000 = _steps_of_one_put(conn, 3_000)
    assert with_3000 <= with_100 * 2 + 10, (with_100, with_3000)


def test_the_dedup_check_still_answers_the_oldest_queued_holder(conn: sqlite3.Connection) -> None:
    first = tables.put(conn, _item(1))
    again = QueuedHandoff(
        reference="HB-AGAIN1", problem=b"{}", dedup_keys=("caller:1",), queued_at=5_000.0
    )
    assert tables.put(conn, again) == first
