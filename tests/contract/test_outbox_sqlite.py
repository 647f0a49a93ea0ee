"""What only the SQLite outbox promises: the file outlives the process (a reopen, a SIGKILL
right after ``put`` returned), real processes on one file never lease one item twice, and every
way the file can fail to be written raises ``StoreUnavailable`` without blocking the loop."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
import pytest

from adapters.outbox.sqlite import SqliteOutbox
from application.errors import StoreUnavailable
from application.ports import OutboxState
from tests.support.paths import REPO_ROOT
from tests.support.stores.outbox_backends import T0, handoff

SCRIPT = REPO_ROOT / "tests" / "support" / "stores" / "outbox_process.py"
LEASE = 30.0  # as in outbox_process.py


Start = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def start() -> Iterator[Start]:
    """Start ``outbox_process.py`` with arguments; whatever still runs at the end is killed."""
    started: list[subprocess.Popen[str]] = []

    def run(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, str(SCRIPT), *args],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            kill(process)
        process.communicate()  # closes the pipes


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


async def test_items_and_leases_outlive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = SqliteOutbox(path)
    await first.put(handoff("HB-REOPN2", ("oa:1",)))
    await first.put(handoff("HB-REOPN3", queued_at=T0 + 1))
    await first.lease("w1", T0, LEASE, 1)
    await first.aclose()
    second = SqliteOutbox(path)
    try:
        assert await second.get("HB-REOPN2") == handoff("HB-REOPN2", ("oa:1",))
        assert [i.reference for i in await second.lease("w2", T0 + 1, LEASE, 5)] == ["HB-REOPN3"]
        assert await second.put(handoff("HB-SAME22", ("oa:1",))) == handoff("HB-REOPN2", ("oa:1",))
    finally:
        await second.aclose()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_put_that_returned_survives_a_sigkill(tmp_path: Path, start: Start) -> None:
    path = tmp_path / "outbox.sqlite3"
    process = start("put", str(path), "HB-KILL22", str(T0))
    assert process.stdout is not None
    assert process.stdout.readline() == "kept\n"
    kill(process)
    outbox = SqliteOutbox(path)
    try:
        item = await outbox.get("HB-KILL22")
        assert item is not None
        assert (item.problem, item.state) == (b"kept?", OutboxState.QUEUED)
    finally:
        await outbox.aclose()


async def test_two_processes_never_lease_one_item(tmp_path: Path, start: Start) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = SqliteOutbox(path)
    references = [f"HB-P{n:05d}" for n in range(60)]
    for n, reference in enumerate(references):
        await outbox.put(handoff(reference, queued_at=T0 + n))
    await outbox.aclose()
    workers = [start("lease", str(path), f"worker-{n}", str(T0 + 100)) for n in range(2)]
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    leased = [worker.communicate(timeout=30)[0].split() for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    assert sorted(leased[0] + leased[1]) == references


async def test_a_sigkilled_workers_leases_go_to_another_after_they_expire(
    tmp_path: Path, start: Start
) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = SqliteOutbox(path)
    for n in range(3):
        await outbox.put(handoff(f"HB-K{n:05d}", queued_at=T0 + n))
    worker = start("lease-and-hang", str(path), "doomed", str(T0 + 10))
    assert worker.stdout is not None
    lines = [worker.stdout.readline() for _ in range(4)]
    assert lines[-1] == "leased\n"
    kill(worker)
    try:
        assert await outbox.lease("heir", T0 + 10 + LEASE - 1, LEASE, 5) == []
        taken = await outbox.lease("heir", T0 + 10 + LEASE, LEASE, 5)
        assert [item.reference for item in taken] == [f"HB-K{n:05d}" for n in range(3)]
    finally:
        await outbox.aclose()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process's writer holding the file's write lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def not_a_database(tmp_path: Path) -> SqliteOutbox:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"this is a text file, not a SQLite database\n" * 100)
    return SqliteOutbox(path)


def under_a_file(tmp_path: Path) -> SqliteOutbox:
    (tmp_path / "plain-file").write_text("a file where the directory should be")
    return SqliteOutbox(tmp_path / "plain-file" / "outbox.sqlite3")


BROKEN: dict[str, Callable[[Path], SqliteOutbox]] = {
    "not a database": not_a_database,
    "directory is a file": under_a_file,
}


@pytest.mark.parametrize("make", BROKEN.values(), ids=BROKEN.keys())
async def test_an_unusable_path_raises_store_unavailable(
    tmp_path: Path, make: Callable[[Path], SqliteOutbox]
) -> None:
    outbox = make(tmp_path)
    try:
        for call in (outbox.put(handoff("HB-BROKE2")), outbox.get("HB-BROKE2"), outbox.stats(T0)):
            with pytest.raises(StoreUnavailable) as caught:
                await call
            assert caught.value.code == "STORE_UNAVAILABLE"
        assert await outbox.check_health() is False
    finally:
        await outbox.aclose()


async def test_a_full_file_refuses_the_put_and_keeps_what_it_had(tmp_path: Path) -> None:
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite3", max_bytes=64 * 1024)
    try:
        await outbox.put(handoff("HB-FIRST2"))
        too_big = msgspec.structs.replace(handoff("HB-LARGE2"), problem=b"x" * 200_000)
        with pytest.raises(StoreUnavailable) as caught:
            await outbox.put(too_big)
        assert "full" in str(caught.value.__cause__)
        assert [i.reference for i in await outbox.items(None, 10)] == ["HB-FIRST2"]
        assert await outbox.put(handoff("HB-SMALL2")) == handoff("HB-SMALL2")  # still works
    finally:
        await outbox.aclose()


async def test_a_lock_held_too_long_fails_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = SqliteOutbox(path, busy_timeout_seconds=0.3)
    await outbox.put(handoff("HB-FIRST2"))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        with locked(path):
            with pytest.raises(StoreUnavailable):
                await outbox.put(handoff("HB-LOCKD2"))
            assert await outbox.check_health() is False
        assert ticks >= 10  # the loop ran on while the worker thread waited for the lock
        assert await outbox.put(handoff("HB-LOCKD2")) == handoff("HB-LOCKD2")  # lock gone
        assert await outbox.check_health() is True
    finally:
        ticker.cancel()
        await outbox.aclose()


async def test_a_closed_outbox_refuses_calls_loudly(tmp_path: Path) -> None:
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite3")
    await outbox.put(handoff("HB-CLOSE2"))
    await outbox.aclose()
    await outbox.aclose()  # closing twice is harmless
    with pytest.raises(StoreUnavailable):
        await outbox.lease("w1", T0, LEASE, 1)
    assert await outbox.check_health() is False


async def test_a_file_from_a_newer_bridge_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    outbox = SqliteOutbox(path)
    try:
        with pytest.raises(StoreUnavailable):
            await outbox.get("HB-NEWER2")
    finally:
        await outbox.aclose()


async def test_the_directory_and_a_private_file_are_created_on_first_use(tmp_path: Path) -> None:
    outbox = SqliteOutbox(tmp_path / "state" / "helpdesk-bridge" / "outbox.sqlite3")
    try:
        assert await outbox.check_health() is True
        file = tmp_path / "state" / "helpdesk-bridge" / "outbox.sqlite3"
        await outbox.put(handoff("HB-PRIVT2"))
        for kept in (file, file.with_name("outbox.sqlite3-wal")):  # notes and phone numbers
            assert kept.stat().st_mode & 0o077 == 0
    finally:
        await outbox.aclose()
