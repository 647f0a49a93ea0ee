"""Recording a finished call on its ticket (``RecordCall``) against the in-memory adapters: which
ticket gets the note, once, and what a retry, a busy filing, a failure or a queued hand-off do."""

from __future__ import annotations

import asyncio

import pytest

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.stores.memory import MemoryIdempotencyStore, MemoryTicketIndex
from application.errors import (
    DedupInProgress,
    HelpdeskBadResponse,
    HelpdeskUnavailable,
    StoreUnavailable,
)
from application.filing.pending_note import read_pending
from application.filing.ticket_filing import TicketFiling
from application.ports import StoredResponse
from application.timing.deadline import Deadline
from application.use_cases.call_record_note import CallRecord, CallTurn
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from application.use_cases.record_call import CallRecordOutcome, CallRecordResult, RecordCall
from domain.dedup import DedupPolicy
from domain.ticket import TicketState
from tests.support.stores.memory_outbox import MemoryOutbox

CONVERSATION = "conv_01jz8q4k7mexample"
KEYS = ("oa:conv_01jz8q4k7mexample",)
NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: WiFi drops\nConfidence: 0.85"
RECORD = CallRecord(
    event_type="post_call_transcription",
    conversation_id=CONVERSATION,
    title="WiFi drops after router reset",
    summary="The caller reported WiFi dropping.",
    outcome="success",
    duration_secs=132,
    turns=(CallTurn(role="user", message="My WiFi keeps dropping.", time_in_call_secs=4),),
)


class World:
    """One bridge on the fakes: the helpdesk, the index, the stored events and the outbox."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.helpdesk = MockHelpdesk(self.clock)
        self.index = MemoryTicketIndex(self.clock)
        self.events = MemoryIdempotencyStore(self.clock)
        self.outbox = MemoryOutbox()
        self.policy = DedupPolicy()
        self.filing = TicketFiling(
            self.helpdesk, self.index, self.clock, self.policy, outbox=self.outbox
        )

    def recorder(self, index: MemoryTicketIndex | None = None) -> RecordCall:
        return RecordCall(
            self.helpdesk,
            self.index if index is None else index,
            self.events,
            self.clock,
            self.policy,
            self.outbox,
            wait_seconds=0.0,  # the manual clock never moves by itself: no waiting
        )

    async def hand_off(self, conversation: str = CONVERSATION) -> str:
        command = OaHandoffCommand(note=NOTE, oa_key=conversation)
        filed = await OaHandoff(self.filing).execute(command, self.deadline())
        return filed.ticket.id

    async def record(
        self, record: CallRecord = RECORD, index: MemoryTicketIndex | None = None
    ) -> CallRecordResult:
        return await self.recorder(index).execute(record, self.deadline())

    def deadline(self) -> Deadline:
        return Deadline(self.clock, 10.0)

    def notes(self, ticket_id: str) -> list[str]:
        return [text for text, _ in self.helpdesk.tickets[ticket_id].notes]


@pytest.fixture
def world() -> World:
    return World()


async def test_the_note_goes_to_the_ticket_the_hand_off_filed_once(world: World) -> None:
    ticket_id = await world.hand_off()
    first = await world.record()
    again = await world.record()
    assert (first.outcome, first.ticket_id, first.replayed) == (
        CallRecordOutcome.APPENDED,
        ticket_id,
        False,
    )
    assert again == CallRecordResult(
        outcome=CallRecordOutcome.APPENDED,
        conversation_id=CONVERSATION,
        ticket_id=ticket_id,
        replayed=True,
    )
    [text] = world.notes(ticket_id)
    assert "WiFi drops after router reset" in text
    assert [a.filename for a in world.helpdesk.tickets[ticket_id].attachments] == [
        f"transcript-{CONVERSATION}.txt"
    ]


async def test_another_event_type_of_the_same_call_is_another_note(world: World) -> None:
    ticket_id = await world.hand_off()
    await world.record()
    other = CallRecord(event_type="post_call_analysis", conversation_id=CONVERSATION)
    assert (await world.record(other)).outcome is CallRecordOutcome.APPENDED
    assert len(world.notes(ticket_id)) == 2


async def test_a_ticket_solved_meanwhile_still_gets_the_note_of_its_call(world: World) -> None:
    ticket_id = await world.hand_off()
    world.helpdesk.close_ticket(ticket_id, TicketState.SOLVED)
    assert (await world.record()).ticket_id == ticket_id
    assert len(world.notes(ticket_id)) == 1


async def test_without_the_index_only_an_open_ticket_is_found(world: World) -> None:
    ticket_id = await world.hand_off()
    world.helpdesk.close_ticket(ticket_id, TicketState.CLOSED)
    result = await world.record(index=MemoryTicketIndex(world.clock))  # the index forgot it
    assert (result.outcome, result.reason) == (CallRecordOutcome.IGNORED, "no_ticket")
    assert world.notes(ticket_id) == []


async def test_a_ticket_the_helpdesk_no_longer_has_is_ignored(world: World) -> None:
    ticket_id = await world.hand_off()
    del world.helpdesk.tickets[ticket_id]
    result = await world.record()
    assert (result.outcome, result.ticket_id, result.reason) == (
        CallRecordOutcome.IGNORED,
        ticket_id,
        "ticket_gone",
    )


async def test_a_conversation_without_a_hand_off_or_an_id_is_ignored(world: World) -> None:
    assert (await world.record()).reason == "no_ticket"
    blank = CallRecord(event_type="post_call_transcription", conversation_id="  ")
    assert (await world.record(blank)).reason == "no_ticket"
    assert world.helpdesk.tickets == {}


async def test_a_hand_off_being_filed_is_waited_for_and_then_refused_for_a_retry(
    world: World,
) -> None:
    await world.index.claim(KEYS, "another-filing", 30.0)
    with pytest.raises(DedupInProgress):
        await world.record()
    await world.index.release(KEYS, "another-filing")
    ticket_id = await world.hand_off()
    assert (await world.record()).ticket_id == ticket_id  # the refusal was not remembered


async def test_a_repeat_while_the_first_runs_is_refused_for_a_retry(world: World) -> None:
    ticket_id = await world.hand_off()
    slow = MockHelpdesk(world.clock, latency_seconds=0.05)  # the same tickets, answered slowly
    slow.tickets = world.helpdesk.tickets
    world.helpdesk = slow
    first, repeat = await asyncio.gather(world.record(), world.record(), return_exceptions=True)
    assert isinstance(first, CallRecordResult)
    assert first.outcome is CallRecordOutcome.APPENDED
    assert isinstance(repeat, DedupInProgress)  # 503: ElevenLabs tries again later
    assert (await world.record()).replayed
    assert len(world.notes(ticket_id)) == 1


async def test_a_failure_is_forgotten_so_the_retry_appends(world: World) -> None:
    ticket_id = await world.hand_off()
    world.helpdesk.healthy = False
    with pytest.raises(HelpdeskUnavailable):
        await world.record()
    world.helpdesk.healthy = True
    assert (await world.record()).outcome is CallRecordOutcome.APPENDED
    assert len(world.notes(ticket_id)) == 1


async def test_the_claim_of_a_filing_that_may_have_landed_stays_in_doubt(world: World) -> None:
    await world.index.claim(KEYS, "crashed-filing", 30.0)
    await world.index.mark_uncertain(KEYS, "crashed-filing", 30.0)
    assert (await world.record()).reason == "no_ticket"
    claim = await world.index.claim(KEYS, "next-filing", 30.0)
    assert claim.uncertain  # the next filing still knows a create may have landed


async def test_a_queued_hand_off_keeps_the_note_until_delivered(world: World) -> None:
    world.helpdesk.healthy = False
    reference = await world.hand_off()
    result = await world.record()
    assert (result.outcome, result.ticket_id) == (CallRecordOutcome.QUEUED, reference)
    [item] = await world.outbox.lease("worker", world.clock.now(), 30.0, 1)
    world.helpdesk.healthy = True
    filed = await world.filing.deliver(item, world.deadline())
    [kept] = await world.outbox.ticket_filed(reference, filed.ticket.id, filed.ticket.url)
    assert "WiFi drops after router reset" in read_pending(kept).text


async def test_a_note_for_a_hand_off_whose_ticket_is_filed_goes_straight_to_it(
    world: World,
) -> None:
    world.helpdesk.healthy = False
    reference = await world.hand_off()
    stale = MemoryTicketIndex(world.clock)  # another instance's index: still the marker
    marker = (await world.index.claim(KEYS, "peek", 30.0)).ticket
    assert marker is not None
    await stale.fulfil(KEYS, "peek", marker, 3600.0)
    [item] = await world.outbox.lease("worker", world.clock.now(), 30.0, 1)
    world.helpdesk.healthy = True
    filed = await world.filing.deliver(item, world.deadline())
    assert await world.outbox.ticket_filed(reference, filed.ticket.id, filed.ticket.url) == []
    result = await world.record(index=stale)  # the delivery is between filing and delivered
    assert (result.outcome, result.ticket_id) == (CallRecordOutcome.APPENDED, filed.ticket.id)
    assert await world.outbox.ticket_filed(reference, filed.ticket.id, filed.ticket.url) == []
    await world.outbox.delivered(reference, filed.ticket.id, filed.ticket.url, world.clock.now())
    other = CallRecord(event_type="post_call_analysis", conversation_id=CONVERSATION)
    late = await world.record(other, index=stale)  # delivered: the helpdesk look-up finds it
    assert (late.outcome, late.ticket_id) == (CallRecordOutcome.APPENDED, filed.ticket.id)
    assert len(world.notes(filed.ticket.id)) == 2


class ForgetfulEvents(MemoryIdempotencyStore):
    """Events whose store fails just when the finished event is to be remembered."""

    async def complete(
        self, key: str, fingerprint: str, response: StoredResponse, ttl_seconds: float
    ) -> None:
        raise StoreUnavailable("Shared store (Redis) is unavailable")


async def test_an_appended_note_is_answered_as_such_though_remembering_it_failed(
    world: World,
) -> None:
    ticket_id = await world.hand_off()
    world.events = ForgetfulEvents(world.clock)
    result = await world.record()
    assert (result.outcome, result.ticket_id) == (CallRecordOutcome.APPENDED, ticket_id)


class RefusingHelpdesk(MockHelpdesk):
    """The mock helpdesk refusing every note with an answer the bridge cannot use."""

    async def append_note(self, *args: object, **kwargs: object) -> None:
        raise HelpdeskBadResponse("status 422", {"operation": "append_note", "status": 422})


async def test_a_refused_note_on_a_ticket_not_closed_is_a_failure_to_retry(world: World) -> None:
    ticket_id = await world.hand_off()
    refusing = RefusingHelpdesk(world.clock)
    refusing.tickets = world.helpdesk.tickets
    world.helpdesk = refusing
    with pytest.raises(HelpdeskBadResponse):
        await world.record()
    world.helpdesk.close_ticket(ticket_id, TicketState.CLOSED)
    result = await world.record()  # the failure was not remembered: this one runs
    assert (result.outcome, result.reason) == (CallRecordOutcome.IGNORED, "ticket_closed")
