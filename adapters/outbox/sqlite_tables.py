"""The SQLite outbox's tables and its operations as plain functions on one ``sqlite3``
connection (run on the adapter's worker thread; see ``adapters.outbox.sqlite``).

Every step that reads and then writes is one ``BEGIN IMMEDIATE`` transaction: it takes the
file's write lock before reading, so two processes on one file cannot both see an item free
and both take it (the dedup check in ``put``, the pick in ``lease``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import msgspec

from application.ports import DuplicateReference, OutboxState, OutboxStats, QueuedHandoff

SCHEMA_VERSION = 1

# One row per item (every state), with the lease beside it. outbox_keys holds every item's dedup
# keys; the dedup check joins it with the QUEUED items, so a delivered, dead or dropped item's
# keys stop deduplicating without being rewritten.
SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_items (
    reference TEXT PRIMARY KEY,
    problem BLOB NOT NULL,
    dedup_keys TEXT NOT NULL,
    queued_at REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    next_attempt_at REAL NOT NULL,
    delivered_at REAL,
    ticket_id TEXT,
    ticket_url TEXT,
    lease_owner TEXT,
    lease_until REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox_items (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_age ON outbox_items (state, queued_at, reference);
CREATE TABLE IF NOT EXISTS outbox_keys (
    dedup_key TEXT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY (dedup_key, reference)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outbox_keys_by_reference ON outbox_keys (reference);
CREATE TABLE IF NOT EXISTS outbox_health (id INTEGER PRIMARY KEY, checked_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_notes (
    reference TEXT NOT NULL,
    note_key TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (reference, note_key)
);
"""
# outbox_notes (sqlite_notes.py) was added without a schema version of its own: a file of the
# first schema gains the table when opened, and a bridge that predates it reads the file as
# before (it only does not append the notes).

# The SQL is spelled out (no string building), so no value can ever reach it except as a
# parameter. Columns in QueuedHandoff's order; ``_item`` reads them back.
_SELECT = (
    "SELECT reference, problem, dedup_keys, queued_at, state, attempts, last_error,"
    " next_attempt_at, delivered_at, ticket_id, ticket_url FROM outbox_items"
)
_SELECT_QUEUED_HOLDER = (
    "SELECT i.reference, i.problem, i.dedup_keys, i.queued_at, i.state, i.attempts,"
    " i.last_error, i.next_attempt_at, i.delivered_at, i.ticket_id, i.ticket_url"
    # CROSS JOIN: SQLite keeps this order (the key first, by its primary key); with a plain
    # JOIN it walks the queued items in age order for the ORDER BY, probing each one's keys,
    # so a key nobody holds - every new hand-off's - cost a pass over the whole queue.
    " FROM outbox_keys k CROSS JOIN outbox_items i ON i.reference = k.reference"
    " WHERE k.dedup_key = ? AND i.state = ? ORDER BY i.queued_at, i.reference LIMIT 1"
)
_INSERT = (
    "INSERT INTO outbox_items (reference, problem, dedup_keys, queued_at, state, attempts,"
    " last_error, next_attempt_at, delivered_at, ticket_id, ticket_url)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_DUE = (
    _SELECT + " WHERE state = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR"
    " lease_until <= ?) ORDER BY queued_at, reference LIMIT ?"
)
_SELECT_ONE = _SELECT + " WHERE reference = ?"
_SELECT_IN_STATE = _SELECT + " WHERE (? IS NULL OR state = ?) ORDER BY queued_at, reference LIMIT ?"
_QUEUED, _DELIVERED = OutboxState.QUEUED.value, OutboxState.DELIVERED.value


class UnknownSchema(Exception):
    """The file was written by a newer version of the bridge (its ``user_version`` is higher)."""


@contextmanager
def transaction(conn: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE") -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any error): the write lock is taken
    first, so the reads inside see what no other writer can change before the commit. A plain
    ``BEGIN`` is a read snapshot that takes no write lock."""
    conn.execute(begin)
    try:
        yield
        conn.execute("COMMIT")  # a failed COMMIT (full disk) must roll back too
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


def create_schema(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise UnknownSchema(f"outbox file has schema {version}, this bridge knows up to 1")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _item(row: Sequence[Any]) -> QueuedHandoff:
    return QueuedHandoff(
        reference=row[0],
        problem=bytes(row[1]),
        dedup_keys=tuple(msgspec.json.decode(row[2], type=list[str])),
        queued_at=row[3],
        state=OutboxState(row[4]),
        attempts=row[5],
        last_error=row[6],
        next_attempt_at=row[7],
        delivered_at=row[8],
        ticket_id=row[9],
        ticket_url=row[10],
    )


def _one(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> QueuedHandoff | None:
    row = conn.execute(sql, params).fetchone()
    return None if row is None else _item(row)


def holder_of(conn: sqlite3.Connection, dedup_key: str) -> QueuedHandoff | None:
    """The oldest QUEUED item holding ``dedup_key`` (call inside a transaction)."""
    return _one(conn, _SELECT_QUEUED_HOLDER, (dedup_key, _QUEUED))


def put(conn: sqlite3.Connection, item: QueuedHandoff) -> QueuedHandoff:
    with transaction(conn):
        for key in item.dedup_keys:
            holder = holder_of(conn, key)
            if holder is not None:
                return holder
        try:
            conn.execute(
                _INSERT,
                (
                    item.reference,
                    item.problem,
                    msgspec.json.encode(list(item.dedup_keys)).decode(),
                    item.queued_at,
                    item.state.value,
                    item.attempts,
                    item.last_error,
                    item.next_attempt_at,
                    item.delivered_at,
                    item.ticket_id,
                    item.ticket_url,
                ),
            )
        except sqlite3.IntegrityError as e:
            raise DuplicateReference(item.reference) from e
        conn.executemany(
            "INSERT OR IGNORE INTO outbox_keys (dedup_key, reference) VALUES (?, ?)",
            [(key, item.reference) for key in item.dedup_keys],
        )
    return item


def get(conn: sqlite3.Connection, reference: str) -> QueuedHandoff | None:
    return _one(conn, _SELECT_ONE, (reference,))


def lease(
    conn: sqlite3.Connection, worker: str, now: float, until: float, limit: int
) -> list[QueuedHandoff]:
    with transaction(conn):
        rows = conn.execute(_SELECT_DUE, (_QUEUED, now, now, max(0, limit))).fetchall()
        conn.executemany(
            "UPDATE outbox_items SET lease_owner = ?, lease_until = ? WHERE reference = ?",
            [(worker, until, row[0]) for row in rows],
        )
    return [_item(row) for row in rows]


def delivered(
    conn: sqlite3.Connection, reference: str, ticket_id: str, ticket_url: str, now: float
) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE outbox_items SET state = ?, attempts = attempts + 1, delivered_at = ?,"
            " ticket_id = ?, ticket_url = ?, lease_owner = NULL, lease_until = NULL"
            " WHERE reference = ? AND state != ?",
            (_DELIVERED, now, ticket_id, ticket_url, reference, _DELIVERED),
        )
        conn.execute("DELETE FROM outbox_notes WHERE reference = ?", (reference,))


def postpone(conn: sqlite3.Connection, reference: str, error: str, next_attempt_at: float) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE outbox_items SET attempts = attempts + 1, last_error = ?,"
            " next_attempt_at = ?, lease_owner = NULL, lease_until = NULL"
            " WHERE reference = ? AND state = ?",
            (error, next_attempt_at, reference, _QUEUED),
        )


def kill(conn: sqlite3.Connection, reference: str, error: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE outbox_items SET state = ?, last_error = ?, lease_owner = NULL,"
            " lease_until = NULL WHERE reference = ? AND state = ?",
            (OutboxState.DEAD.value, error, reference, _QUEUED),
        )


def retry(conn: sqlite3.Connection, reference: str, now: float) -> bool:
    with transaction(conn):
        changed = conn.execute(
            "UPDATE outbox_items SET state = ?, next_attempt_at = ?"
            " WHERE reference = ? AND state != ?",
            (_QUEUED, now, reference, _DELIVERED),
        ).rowcount
    return changed > 0


def drop(conn: sqlite3.Connection, reference: str) -> bool:
    with transaction(conn):
        conn.execute("DELETE FROM outbox_keys WHERE reference = ?", (reference,))
        conn.execute("DELETE FROM outbox_notes WHERE reference = ?", (reference,))
        dropped = conn.execute("DELETE FROM outbox_items WHERE reference = ?", (reference,))
    return dropped.rowcount > 0


def items(conn: sqlite3.Connection, state: OutboxState | None, limit: int) -> list[QueuedHandoff]:
    wanted = None if state is None else state.value
    rows = conn.execute(_SELECT_IN_STATE, (wanted, wanted, max(0, limit))).fetchall()
    return [_item(row) for row in rows]


def stats(conn: sqlite3.Connection, now: float) -> OutboxStats:
    with transaction(conn, "BEGIN"):  # one snapshot for the counts and the oldest age
        counts = dict(conn.execute("SELECT state, count(*) FROM outbox_items GROUP BY state"))
        oldest = conn.execute(
            "SELECT min(queued_at) FROM outbox_items WHERE state = ?", (_QUEUED,)
        ).fetchone()[0]
    return OutboxStats(
        queued=counts.get(_QUEUED, 0),
        delivered=counts.get(_DELIVERED, 0),
        dead=counts.get(OutboxState.DEAD.value, 0),
        oldest_queued_age_seconds=None if oldest is None else max(0.0, now - oldest),
    )


def touch(conn: sqlite3.Connection, now: float) -> None:
    """A real write (and its sync), so a full disk or a lost lock shows in the health check."""
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO outbox_health (id, checked_at) VALUES (1, ?)", (now,))
