"""``Outbox`` in a SQLite file: the embedded durable default (``OUTBOX_PATH``).

Durability: the file is in WAL mode with ``synchronous=FULL``, so a commit returns only after
the WAL is synced to disk. ``put`` returning therefore means the hand-off survives a SIGKILL
of the process (which ``NORMAL`` would also give, the WAL being in the OS's buffers) *and* a
power loss or kernel crash on the host (which ``NORMAL`` would not: it may roll back the last
commits). A 202 promises the hand-off is kept, so FULL it is; the price, one fsync per
commit, is paid on the queue and delivery paths only, never on the happy path (a hand-off
filed at once never touches the outbox). Storage that lies about syncing (some virtual disks,
disabled write barriers) can still lose the last commits: that is below the bridge.

Concurrency: one connection per adapter, used only from the adapter's one worker thread, so the
calls of one process are serialised and never block the event loop. Several processes (or
adapters) on one file are serialised by SQLite's file lock: every read-then-write step is one
``BEGIN IMMEDIATE`` transaction (see ``sqlite_tables``), so no item is leased twice. A lock held
longer than ``busy_timeout_seconds``, a full disk, an unwritable path or a file that is not a
database raise ``StoreUnavailable``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import msgspec

from adapters.outbox import sqlite_notes as notes
from adapters.outbox import sqlite_tables as tables
from application.errors import StoreUnavailable
from application.ports import OutboxState, OutboxStats, PendingNote, QueuedHandoff

_T = TypeVar("_T")


class SqliteOutbox:
    """Queued hand-offs in one SQLite file, safe to share between processes on one host.

    The file (and its directory) is created on the first call, not in the constructor, so an
    unwritable path surfaces as ``StoreUnavailable`` where the caller can refuse loudly (and in
    ``check_health``), and a later call tries again. ``max_bytes`` caps the file: past it a
    write fails as on a full disk (``StoreUnavailable``), so a long outage cannot fill the host.
    Call ``aclose()`` when done."""

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout_seconds: float = 2.0,
        max_bytes: int | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self._busy_timeout = busy_timeout_seconds
        self._max_bytes = max_bytes
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-sqlite")

    async def _run(self, operation: str, work: Callable[[sqlite3.Connection], _T]) -> _T:
        if self._closed:  # e.g. the delivery loop's last lease racing the shutdown
            raise StoreUnavailable(f"Outbox (SQLite) is closed (during {operation})")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, operation, work)

    def _call(self, operation: str, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """On the worker thread: open the file if needed, do ``work``, translate failures."""
        try:
            return work(self._connection())
        except (sqlite3.Error, OSError, tables.UnknownSchema, msgspec.DecodeError, ValueError) as e:
            if self._conn is not None and not isinstance(e, sqlite3.OperationalError):
                self._close()  # not a passing lock or a full disk: reopen on the next call
            raise StoreUnavailable(f"Outbox (SQLite) failed during {operation}") from e

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        # The items hold notes and phone numbers: only the bridge's user may read them. SQLite
        # gives the -wal and -shm files the database file's permissions.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        # Autocommit (isolation_level=None): every transaction is an explicit BEGIN IMMEDIATE.
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            if self._max_bytes is not None:
                page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
                conn.execute(f"PRAGMA max_page_count = {max(1, self._max_bytes // page_size)}")
            tables.create_schema(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def aclose(self) -> None:
        """Close the connection and stop the worker thread (idempotent; no call after it)."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=False)

    async def put(self, item: QueuedHandoff) -> QueuedHandoff:
        return await self._run("put", lambda conn: tables.put(conn, item))

    async def get(self, reference: str) -> QueuedHandoff | None:
        return await self._run("get", lambda conn: tables.get(conn, reference))

    async def lease(
        self, worker: str, now: float, lease_seconds: float, limit: int
    ) -> list[QueuedHandoff]:
        until = now + lease_seconds
        return await self._run("lease", lambda conn: tables.lease(conn, worker, now, until, limit))

    async def delivered(self, reference: str, ticket_id: str, ticket_url: str, now: float) -> None:
        await self._run(
            "delivered", lambda conn: tables.delivered(conn, reference, ticket_id, ticket_url, now)
        )

    async def postpone(self, reference: str, error: str, next_attempt_at: float) -> None:
        await self._run(
            "postpone", lambda conn: tables.postpone(conn, reference, error, next_attempt_at)
        )

    async def attach_note(self, dedup_key: str, note: PendingNote) -> QueuedHandoff | None:
        return await self._run("attach note", lambda conn: notes.attach_note(conn, dedup_key, note))

    async def ticket_filed(
        self, reference: str, ticket_id: str, ticket_url: str
    ) -> list[PendingNote]:
        return await self._run(
            "ticket filed",
            lambda conn: notes.ticket_filed(conn, reference, ticket_id, ticket_url),
        )

    async def kill(self, reference: str, error: str, now: float) -> None:
        """``now`` is not kept: ``QueuedHandoff`` has no field for when an item died."""
        await self._run("kill", lambda conn: tables.kill(conn, reference, error))

    async def retry(self, reference: str, now: float) -> bool:
        return await self._run("retry", lambda conn: tables.retry(conn, reference, now))

    async def drop(self, reference: str) -> bool:
        return await self._run("drop", lambda conn: tables.drop(conn, reference))

    async def items(self, state: OutboxState | None, limit: int) -> list[QueuedHandoff]:
        return await self._run("items", lambda conn: tables.items(conn, state, limit))

    async def stats(self, now: float) -> OutboxStats:
        return await self._run("stats", lambda conn: tables.stats(conn, now))

    async def check_health(self) -> bool:
        """True when a write commits right now; never raises for a store failure."""
        try:
            await self._run("health check", lambda conn: tables.touch(conn, time.time()))
        except StoreUnavailable:
            return False
        return True
