"""Delivering a queued hand-off that carries notes (a call's summary that arrived while it
waited): appended once its ticket is filed, before the item is marked delivered; the helpdesk
failing meanwhile postpones it, a note it refuses for good is dropped and counted."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.stores.memory import MemoryTicketIndex
from application.errors import HelpdeskUnavailable, TicketNotFound
from application.filing.pending_note import TicketNote, pending_note
from application.filing.ticket_filing import TicketFiling
from application.ports import OutboxState, PendingNote, QueuedHandoff
from application.timing.deadline import Deadline
from application.use_cases.deliver_handoff import DeliverHandoff, DeliveryState
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from domain.dedup import DedupPolicy
from domain.ticket import Attachment
from tests.support.stores.memory_outbox import MemoryOutbox

NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: WiFi drops\nConfidence: 0.85"
KEY = "oa:conv-9"
SUMMARY = TicketNote(
    "Call summary (ElevenLabs): WiFi drops",
    "ElevenLabs post-call webhook",
    (Attachment("transcript-conv-9.txt", "text/plain; charset=utf-8", b"[0:04] Caller: hi\n"),),
)


class NoteFailingHelpdesk(MockHelpdesk):
    """The mock helpdesk whose next notes fail as told (``failures``), tickets as usual."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.failures: list[Exception] = []

    async def append_note(
        self,
        ticket_id: str,
        text: str,
        author: str | None,
        deadline: Deadline | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        if self.failures:
            raise self.failures.pop(0)
        await super().append_note(ticket_id, text, author, deadline, attachments)


class Queue:
    def __init__(self) -> None:
        self.clock = ManualClock()
        self.helpdesk = NoteFailingHelpdesk(self.clock)
        self.outbox = MemoryOutbox()
        self.filing = filing = TicketFiling(
            self.helpdesk,
            MemoryTicketIndex(self.clock),
            self.clock,
            DedupPolicy(),
            outbox=self.outbox,
        )
        self.handoff = OaHandoff(filing)
        self.deliver = DeliverHandoff(filing, self.outbox, self.clock)

    async def queued(self, *notes: PendingNote) -> QueuedHandoff:
        self.helpdesk.healthy = False
        command = OaHandoffCommand(note=NOTE, oa_key="conv-9")
        filed = await self.handoff.execute(command, Deadline(self.clock, 10.0))
        assert filed.queued
        for note in notes:
            assert await self.outbox.attach_note(KEY, note) is not None
        self.helpdesk.healthy = True
        return await self.lease()

    async def lease(self) -> QueuedHandoff:
        [item] = await self.outbox.lease("worker", self.clock.now(), 30.0, 1)
        return item


async def test_the_notes_kept_while_queued_are_appended_to_the_filed_ticket() -> None:
    queue = Queue()
    item = await queue.queued(pending_note("post_call_transcription:conv-9", SUMMARY))
    outcome = await queue.deliver.execute(item)
    assert (outcome.state, outcome.notes, outcome.notes_dropped) == (DeliveryState.DELIVERED, 1, 0)
    assert outcome.ticket is not None
    ticket = queue.helpdesk.tickets[outcome.ticket.id]
    assert ticket.notes == [(SUMMARY.text, SUMMARY.author)]
    assert ticket.attachments == list(SUMMARY.attachments)
    kept = await queue.outbox.get(item.reference)
    assert kept is not None
    assert kept.state is OutboxState.DELIVERED


async def test_a_failing_note_postpones_the_item_and_the_next_delivery_appends_it() -> None:
    queue = Queue()
    item = await queue.queued(pending_note("post_call_transcription:conv-9", SUMMARY))
    queue.helpdesk.failures.append(HelpdeskUnavailable("down again", retry_after=60.0))
    postponed = await queue.deliver.execute(item)
    assert postponed.state is DeliveryState.POSTPONED
    waiting = await queue.outbox.get(item.reference)
    assert waiting is not None
    assert (waiting.state, waiting.last_error) == (OutboxState.QUEUED, "HELPDESK_UNAVAILABLE")
    queue.clock.advance(61.0)
    delivered = await queue.deliver.execute(await queue.lease())
    assert (delivered.state, delivered.notes, delivered.created) == (
        DeliveryState.DELIVERED,
        1,
        False,  # the ticket filed by the first attempt
    )
    [ticket] = queue.helpdesk.tickets.values()
    assert len(ticket.notes) == 1


async def test_a_note_the_helpdesk_refuses_for_good_is_dropped_and_counted() -> None:
    queue = Queue()
    unreadable = PendingNote("older-version", b"\xc1 not a note")
    item = await queue.queued(
        pending_note("refused", SUMMARY), unreadable, pending_note("ok", SUMMARY)
    )
    queue.helpdesk.failures.append(TicketNotFound("gone"))
    outcome = await queue.deliver.execute(item)
    assert (outcome.state, outcome.notes, outcome.notes_dropped) == (DeliveryState.DELIVERED, 1, 2)
    [ticket] = queue.helpdesk.tickets.values()
    assert len(ticket.notes) == 1


async def test_a_worker_killed_after_filing_leaves_the_notes_to_the_next_delivery() -> None:
    queue = Queue()
    item = await queue.queued(pending_note("post_call_transcription:conv-9", SUMMARY))
    filed = await queue.filing.deliver(item, Deadline(queue.clock, 30.0))  # a worker filed it,
    await queue.outbox.ticket_filed(item.reference, filed.ticket.id, filed.ticket.url)  # and died
    queue.clock.advance(31.0)  # its lease ran out
    outcome = await queue.deliver.execute(await queue.lease())
    assert (outcome.state, outcome.notes, outcome.created) == (DeliveryState.DELIVERED, 1, False)
    [ticket] = queue.helpdesk.tickets.values()
    assert ticket.notes == [(SUMMARY.text, SUMMARY.author)]
