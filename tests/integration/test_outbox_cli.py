"""``helpdesk-bridge outbox list|retry|drop`` on a SQLite outbox an earlier process filled: what an
operator sees (references, states, never a note or a phone number) and what each action does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.outbox.sqlite import SqliteOutbox
from application.ports import OutboxState, QueuedHandoff
from entrypoints.main import main

NOW = 1_800_000_000.0


def queued(reference: str, key: str) -> QueuedHandoff:
    return QueuedHandoff(
        reference=reference,
        problem=b'{"summary":"secret note +14155552671"}',
        dedup_keys=(key,),
        queued_at=NOW,
    )


@pytest.fixture
def outbox_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "outbox.sqlite3"

    async def fill() -> None:
        outbox = SqliteOutbox(path)
        await outbox.put(queued("HB-AAAAAA", "oa:1"))
        await outbox.put(queued("HB-BBBBBB", "oa:2"))
        await outbox.kill("HB-BBBBBB", "EXPIRED", NOW + 1)
        await outbox.aclose()

    asyncio.run(fill())
    monkeypatch.setenv("OUTBOX_PATH", str(path))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return path


def states(path: Path) -> dict[str, OutboxState]:
    async def read() -> dict[str, OutboxState]:
        outbox = SqliteOutbox(path)
        items = await outbox.items(None, 10)
        await outbox.aclose()
        return {item.reference: item.state for item in items}

    return asyncio.run(read())


def test_list_shows_references_and_states_but_no_note(
    outbox_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outbox", "list"]) == 0
    everything = capsys.readouterr().out
    assert main(["outbox", "list", "--state", "dead"]) == 0
    dead = capsys.readouterr().out
    assert "HB-AAAAAA" in everything
    assert "HB-BBBBBB" in everything
    assert "EXPIRED" in everything
    assert "HB-BBBBBB" in dead
    assert "HB-AAAAAA" not in dead
    assert "secret" not in everything
    assert "+14155552671" not in everything


def test_retry_sends_a_dead_hand_off_round_again(
    outbox_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outbox", "retry", "hb-bbbbbb"]) == 0
    assert "HB-BBBBBB queued for delivery now" in capsys.readouterr().out
    assert states(outbox_path)["HB-BBBBBB"] is OutboxState.QUEUED
    assert main(["outbox", "retry", "HB-ZZZZZZ"]) == 1


def test_drop_needs_yes_and_then_removes_the_hand_off(
    outbox_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["outbox", "drop", "HB-AAAAAA"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert "HB-AAAAAA" in states(outbox_path)
    assert main(["outbox", "drop", "HB-AAAAAA", "--yes"]) == 0
    assert "HB-AAAAAA" not in states(outbox_path)
    assert main(["outbox", "drop", "HB-AAAAAA", "--yes"]) == 1
