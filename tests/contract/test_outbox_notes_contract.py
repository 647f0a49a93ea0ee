"""The Outbox contract for pending notes (a call's summary waiting for a queued hand-off's
ticket), run against every adapter: memory, SQLite and real Redis (``outbox_backend``)."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from application.ports import Outbox, OutboxState, PendingNote
from tests.support.stores.outbox_backends import T0, OutboxBackend, handoff

LEASE = 30.0
STRONG, WEAK = "oa:conv-77", "caller:+4930123456:wifi"
SUMMARY = PendingNote("post_call_transcription:conv-77", bytes(range(256)) + "ünï ✓".encode())


async def test_a_note_is_kept_with_the_queued_item_holding_the_key(outbox: Outbox) -> None:
    item = await outbox.put(handoff("HB-NOTE22", (STRONG, WEAK)))
    assert await outbox.attach_note(STRONG, SUMMARY) == item
    other = PendingNote("other-event", b"second")
    assert await outbox.attach_note(WEAK, other) == item
    assert await outbox.ticket_filed("HB-NOTE22", "TKT-9", "https://help.example.com/t/9") == [
        SUMMARY,
        other,
    ]


async def test_a_note_key_is_kept_once_with_its_first_body(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-ONCE22", (STRONG,)))
    await outbox.attach_note(STRONG, SUMMARY)
    await outbox.attach_note(STRONG, msgspec.structs.replace(SUMMARY, body=b"retried"))
    assert await outbox.ticket_filed("HB-ONCE22", "TKT-9", "https://help.example.com/t/9") == [
        SUMMARY
    ]


@pytest.mark.parametrize("fate", ["none", "delivered", "dead", "dropped", "other key"])
async def test_no_queued_item_holding_the_key_keeps_nothing(outbox: Outbox, fate: str) -> None:
    if fate != "none":
        await outbox.put(
            handoff("HB-GONE22", ("oa:elsewhere",) if fate == "other key" else (STRONG,))
        )
    if fate == "delivered":
        await outbox.delivered("HB-GONE22", "TKT-1", "https://help.example.com/t/1", T0 + 1)
    elif fate == "dead":
        await outbox.kill("HB-GONE22", "EXPIRED", T0 + 1)
    elif fate == "dropped":
        await outbox.drop("HB-GONE22")
    assert await outbox.attach_note(STRONG, SUMMARY) is None


async def test_once_the_ticket_is_filed_a_note_is_answered_with_it_and_not_kept(
    outbox_backend: OutboxBackend,
) -> None:
    one, other = outbox_backend.outbox(), outbox_backend.outbox()
    await one.put(handoff("HB-FILED2", (STRONG,)))
    await one.attach_note(STRONG, SUMMARY)
    assert await one.lease("w1", T0, LEASE, 1) != []
    assert await one.ticket_filed("HB-FILED2", "TKT-5", "https://help.example.com/t/5") == [SUMMARY]
    late = await other.attach_note(STRONG, PendingNote("late", b"late"))
    assert late is not None
    assert (late.state, late.ticket_id, late.ticket_url) == (
        OutboxState.QUEUED,
        "TKT-5",
        "https://help.example.com/t/5",
    )
    # Still QUEUED and leased until delivered: a delivery that died here is redone, notes and all.
    assert await other.lease("w2", T0 + 1, LEASE, 1) == []
    redone = await other.lease("w2", T0 + LEASE, LEASE, 1)
    assert [item.reference for item in redone] == ["HB-FILED2"]
    assert await other.ticket_filed("HB-FILED2", "TKT-5", "https://help.example.com/t/5") == [
        SUMMARY
    ]
    await other.delivered("HB-FILED2", "TKT-5", "https://help.example.com/t/5", T0 + LEASE)
    delivered = await one.get("HB-FILED2")
    assert delivered is not None
    assert (delivered.state, delivered.ticket_id) == (OutboxState.DELIVERED, "TKT-5")


@pytest.mark.parametrize("state", ["delivered", "dead", "absent"])
async def test_ticket_filed_changes_nothing_unless_the_item_is_queued(
    outbox: Outbox, state: str
) -> None:
    if state != "absent":
        await outbox.put(handoff("HB-STAY22", (STRONG,)))
        await outbox.attach_note(STRONG, SUMMARY)
    if state == "delivered":
        await outbox.delivered("HB-STAY22", "TKT-1", "https://help.example.com/t/1", T0 + 1)
    elif state == "dead":
        await outbox.kill("HB-STAY22", "EXPIRED", T0 + 1)
    before = await outbox.get("HB-STAY22")
    assert await outbox.ticket_filed("HB-STAY22", "TKT-2", "https://help.example.com/t/2") == []
    assert await outbox.get("HB-STAY22") == before


async def test_a_dead_item_retried_still_carries_its_notes(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-RETRY9", (STRONG,)))
    await outbox.attach_note(STRONG, SUMMARY)
    await outbox.kill("HB-RETRY9", "EXPIRED", T0 + 1)
    assert await outbox.retry("HB-RETRY9", T0 + 2) is True
    assert await outbox.ticket_filed("HB-RETRY9", "TKT-3", "https://help.example.com/t/3") == [
        SUMMARY
    ]


async def test_a_dropped_item_leaves_no_notes_to_a_new_one_of_its_reference(
    outbox: Outbox,
) -> None:
    await outbox.put(handoff("HB-REUSE2", (STRONG,)))
    await outbox.attach_note(STRONG, SUMMARY)
    assert await outbox.drop("HB-REUSE2") is True
    await outbox.put(handoff("HB-REUSE2", (WEAK,)))
    assert await outbox.ticket_filed("HB-REUSE2", "TKT-4", "https://help.example.com/t/4") == []


async def test_every_racing_note_is_read_by_the_delivery_or_answered_with_the_ticket(
    outbox_backend: OutboxBackend,
) -> None:
    outboxes = [outbox_backend.outbox() for _ in range(3)]
    await outboxes[0].put(handoff("HB-RACE22", (STRONG,)))
    notes = [PendingNote(f"event-{n}", f"note {n}".encode()) for n in range(24)]
    attaching = [outboxes[n % 3].attach_note(STRONG, note) for n, note in enumerate(notes)]
    filing = outboxes[1].ticket_filed("HB-RACE22", "TKT-8", "https://help.example.com/t/8")
    results = await asyncio.gather(*attaching[:12], filing, *attaching[12:])
    read = results[12]
    attached = [*results[:12], *results[13:]]
    read_keys = {note.key for note in read}
    answered_with_ticket = {
        note.key
        for note, answer in zip(notes, attached, strict=True)
        if answer is not None and answer.ticket_id == "TKT-8"
    }
    assert read_keys | answered_with_ticket == {note.key for note in notes}
    assert not read_keys & answered_with_ticket
    again = await outboxes[2].ticket_filed("HB-RACE22", "TKT-8", "https://help.example.com/t/8")
    assert again == read
