"""The Outbox adapters as the contract suite sees them: each backend hands out outbox instances
over one shared state, each standing for one process of the bridge - the same object for
memory (its state lives in one process), a new adapter on the same file for SQLite, a new
adapter on its own client under one test-unique namespace for Redis (deleted afterwards).

Time is never read from a clock here: every Outbox call takes an explicit ``now``.
"""

from __future__ import annotations

from pathlib import Path

from adapters.outbox.redis import RedisOutbox
from adapters.outbox.sqlite import SqliteOutbox
from application.ports import QueuedHandoff
from tests.support.stores.memory_outbox import MemoryOutbox
from tests.support.stores.redis_clients import RedisClients

T0 = 1_700_000_000.0


def handoff(
    reference: str,
    keys: tuple[str, ...] = (),
    *,
    queued_at: float = T0,
    next_attempt_at: float | None = None,
) -> QueuedHandoff:
    """A queued hand-off as the application puts it: due at once unless told otherwise."""
    return QueuedHandoff(
        reference=reference,
        problem=f"problem of {reference}".encode(),
        dedup_keys=keys,
        queued_at=queued_at,
        next_attempt_at=queued_at if next_attempt_at is None else next_attempt_at,
    )


class MemoryOutboxBackend:
    def __init__(self) -> None:
        self._outbox = MemoryOutbox()

    def outbox(self) -> MemoryOutbox:
        return self._outbox

    async def aclose(self) -> None:
        return None


class SqliteOutboxBackend:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._opened: list[SqliteOutbox] = []

    def outbox(self) -> SqliteOutbox:
        outbox = SqliteOutbox(self.path)
        self._opened.append(outbox)
        return outbox

    async def aclose(self) -> None:
        for outbox in self._opened:
            await outbox.aclose()


class RedisOutboxBackend(RedisClients):
    def outbox(self) -> RedisOutbox:
        return RedisOutbox(self.client(), namespace=self.namespace)


OutboxBackend = MemoryOutboxBackend | SqliteOutboxBackend | RedisOutboxBackend
