"""The SQLite outbox's pending notes (``outbox_notes``): kept with a QUEUED item until its
delivery has filed the ticket and appended them.

Each step is one ``BEGIN IMMEDIATE`` transaction, as in ``sqlite_tables``: a note is kept only
while the item's ticket is not recorded, and ``ticket_filed`` records the ticket and reads the
notes under the same lock, so every note is either read by the delivery or answered with the
ticket - never left behind.
"""

from __future__ import annotations

import sqlite3

from adapters.outbox import sqlite_tables as tables
from application.ports import OutboxState, PendingNote, QueuedHandoff

_QUEUED = OutboxState.QUEUED.value


def attach_note(
    conn: sqlite3.Connection, dedup_key: str, note: PendingNote
) -> QueuedHandoff | None:
    with tables.transaction(conn):
        holder = tables.holder_of(conn, dedup_key)
        if holder is not None and holder.ticket_id is None:
            conn.execute(
                "INSERT OR IGNORE INTO outbox_notes (reference, note_key, body) VALUES (?, ?, ?)",
                (holder.reference, note.key, note.body),
            )
    return holder


def ticket_filed(
    conn: sqlite3.Connection, reference: str, ticket_id: str, ticket_url: str
) -> list[PendingNote]:
    with tables.transaction(conn):
        changed = conn.execute(
            "UPDATE outbox_items SET ticket_id = ?, ticket_url = ?"
            " WHERE reference = ? AND state = ?",
            (ticket_id, ticket_url, reference, _QUEUED),
        ).rowcount
        if not changed:
            return []
        rows = conn.execute(
            "SELECT note_key, body FROM outbox_notes WHERE reference = ? ORDER BY rowid",
            (reference,),
        ).fetchall()
    return [PendingNote(key, bytes(body)) for key, body in rows]
