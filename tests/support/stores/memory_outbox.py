"""``Outbox`` in process memory: the fake for use-case tests. Not durable - a restart loses every
item - so it is never the served default (that is ``SqliteOutbox``).

Nothing here awaits between reading and writing, so each operation is atomic on the event loop,
as the SQLite transactions and Redis scripts are across processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from msgspec.structs import replace

from application.errors import StoreUnavailable
from application.ports import (
    DuplicateReference,
    OutboxState,
    OutboxStats,
    PendingNote,
    QueuedHandoff,
)


class _Entry:
    """An item, its lease (who is delivering it, until when) and its notes (by key, in the
    order kept)."""

    __slots__ = ("item", "lease_owner", "lease_until", "notes")

    def __init__(self, item: QueuedHandoff) -> None:
        self.item = item
        self.lease_owner: str | None = None
        self.lease_until: float | None = None
        self.notes: dict[str, bytes] = {}

    def end_lease(self) -> None:
        self.lease_owner = None
        self.lease_until = None


_QUEUED = frozenset({OutboxState.QUEUED})
_UNDELIVERED = frozenset({OutboxState.QUEUED, OutboxState.DEAD})


def _age_order(entry: _Entry) -> tuple[float, str]:
    return entry.item.queued_at, entry.item.reference


class MemoryOutbox:
    """Queued hand-offs in a dict. Set ``available = False`` to make every call raise
    ``StoreUnavailable`` (and ``check_health`` say False), as a full disk or a lost Redis
    would: the use cases must then refuse loudly rather than acknowledge an unkept hand-off."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self.available = True

    def _ensure_available(self) -> None:
        if not self.available:
            raise StoreUnavailable("Outbox (memory) is unavailable")

    async def put(self, item: QueuedHandoff) -> QueuedHandoff:
        self._ensure_available()
        holder = self._queued_holder(item.dedup_keys)
        if holder is not None:
            return holder.item
        if item.reference in self._entries:
            raise DuplicateReference(item.reference)
        self._entries[item.reference] = _Entry(item)
        return item

    def _queued_holder(self, keys: Iterable[str]) -> _Entry | None:
        """The oldest QUEUED item holding the strongest of ``keys`` that any QUEUED item holds."""
        queued = sorted(self._in_state(OutboxState.QUEUED), key=_age_order)
        for key in keys:
            for entry in queued:
                if key in entry.item.dedup_keys:
                    return entry
        return None

    def _in_state(self, state: OutboxState | None) -> list[_Entry]:
        return [e for e in self._entries.values() if state is None or e.item.state is state]

    async def get(self, reference: str) -> QueuedHandoff | None:
        self._ensure_available()
        entry = self._entries.get(reference)
        return None if entry is None else entry.item

    async def lease(
        self, worker: str, now: float, lease_seconds: float, limit: int
    ) -> list[QueuedHandoff]:
        self._ensure_available()
        due = sorted(
            (
                e
                for e in self._in_state(OutboxState.QUEUED)
                if e.item.next_attempt_at <= now and (e.lease_until is None or e.lease_until <= now)
            ),
            key=_age_order,
        )[: max(0, limit)]
        for entry in due:
            entry.lease_owner = worker
            entry.lease_until = now + lease_seconds
        return [entry.item for entry in due]

    def _settle(
        self,
        reference: str,
        states: frozenset[OutboxState],
        change: Callable[[QueuedHandoff], QueuedHandoff],
    ) -> None:
        """Change the item if it is in one of ``states``, and end its lease."""
        self._ensure_available()
        entry = self._entries.get(reference)
        if entry is not None and entry.item.state in states:
            entry.item = change(entry.item)
            entry.end_lease()

    async def attach_note(self, dedup_key: str, note: PendingNote) -> QueuedHandoff | None:
        self._ensure_available()
        holder = self._queued_holder((dedup_key,))
        if holder is None:
            return None
        if holder.item.ticket_id is None:
            holder.notes.setdefault(note.key, note.body)
        return holder.item

    async def ticket_filed(
        self, reference: str, ticket_id: str, ticket_url: str
    ) -> list[PendingNote]:
        self._ensure_available()
        entry = self._entries.get(reference)
        if entry is None or entry.item.state is not OutboxState.QUEUED:
            return []
        entry.item = replace(entry.item, ticket_id=ticket_id, ticket_url=ticket_url)
        return [PendingNote(key, body) for key, body in entry.notes.items()]

    async def delivered(self, reference: str, ticket_id: str, ticket_url: str, now: float) -> None:
        self._ensure_available()
        entry = self._entries.get(reference)
        if entry is not None and entry.item.state is not OutboxState.DELIVERED:
            entry.notes.clear()  # appended by the delivery that calls this
        self._settle(
            reference,
            _UNDELIVERED,
            lambda item: replace(
                item,
                state=OutboxState.DELIVERED,
                attempts=item.attempts + 1,
                delivered_at=now,
                ticket_id=ticket_id,
                ticket_url=ticket_url,
            ),
        )

    async def postpone(self, reference: str, error: str, next_attempt_at: float) -> None:
        self._settle(
            reference,
            _QUEUED,
            lambda item: replace(
                item, attempts=item.attempts + 1, last_error=error, next_attempt_at=next_attempt_at
            ),
        )

    async def kill(self, reference: str, error: str, now: float) -> None:
        """``now`` is not kept: ``QueuedHandoff`` has no field for when an item died."""
        self._settle(
            reference, _QUEUED, lambda item: replace(item, state=OutboxState.DEAD, last_error=error)
        )

    async def retry(self, reference: str, now: float) -> bool:
        self._ensure_available()
        entry = self._entries.get(reference)
        if entry is None or entry.item.state is OutboxState.DELIVERED:
            return False
        entry.item = replace(entry.item, state=OutboxState.QUEUED, next_attempt_at=now)
        return True

    async def drop(self, reference: str) -> bool:
        self._ensure_available()
        return self._entries.pop(reference, None) is not None

    async def items(self, state: OutboxState | None, limit: int) -> list[QueuedHandoff]:
        self._ensure_available()
        chosen = sorted(self._in_state(state), key=_age_order)[: max(0, limit)]
        return [entry.item for entry in chosen]

    async def stats(self, now: float) -> OutboxStats:
        self._ensure_available()
        counts = dict.fromkeys(OutboxState, 0)
        oldest: float | None = None
        for entry in self._entries.values():
            counts[entry.item.state] += 1
            if entry.item.state is OutboxState.QUEUED:
                queued_at = entry.item.queued_at
                oldest = queued_at if oldest is None else min(oldest, queued_at)
        return OutboxStats(
            queued=counts[OutboxState.QUEUED],
            delivered=counts[OutboxState.DELIVERED],
            dead=counts[OutboxState.DEAD],
            oldest_queued_age_seconds=None if oldest is None else max(0.0, now - oldest),
        )

    async def check_health(self) -> bool:
        return self.available
