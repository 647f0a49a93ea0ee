"""Recording a finished call on its ticket: ElevenLabs' post-call summary and transcript become one
internal note on the ticket the call's hand-off filed.

The ticket is found by the hand-off's own key (``oaKey`` = the conversation id, through
``DedupPolicy``): the dedup index first, else a hand-off still queued in the outbox (the note is
kept with it and appended on delivery), else the helpdesk's open ticket under the key.
"""

from __future__ import annotations

import asyncio
import contextlib
from enum import StrEnum

import msgspec

from application.errors import (
    DedupInProgress,
    HelpdeskBadResponse,
    StoreUnavailable,
    TicketNotFound,
)
from application.filing.claims import Claims
from application.filing.pending_note import TicketNote, append_to, pending_note
from application.ids import derived_key, random_uuid_hex
from application.ports import (
    ClaimState,
    Clock,
    HelpdeskGateway,
    IdempotencyState,
    IdempotencyStore,
    Outbox,
    StoredResponse,
    TicketIndex,
)
from application.timing.backoff import POLL_PAUSES
from application.timing.deadline import Deadline
from application.use_cases.call_record_note import CallRecord, render_call_note
from domain.dedup import DedupPolicy
from domain.taxonomy import Category
from domain.ticket import TicketState

EVENT_MEMORY_SECONDS = 86_400.0
"""How long a recorded event is remembered (ElevenLabs retries for about 40 minutes)."""
EVENT_LEASE_MARGIN_SECONDS = 30.0
WAIT_SECONDS = 15.0
_FINGERPRINT = "call-record-v1"  # one per event key: a repeat is the same event, whatever body


class CallRecordOutcome(StrEnum):
    """What became of one call event."""

    APPENDED = "appended"  # the note is on the ticket
    QUEUED = "queued"  # kept with the queued hand-off: appended when it is delivered
    IGNORED = "ignored"  # no ticket for the conversation: nothing to append to


class CallRecordResult(msgspec.Struct, frozen=True, kw_only=True):
    """The answer for one event; ``replayed`` when the event was recorded before (a retry)."""

    outcome: CallRecordOutcome
    conversation_id: str
    ticket_id: str | None = None  # the ticket, or the queued hand-off's reference
    reason: str | None = None  # why IGNORED: "no_ticket", "ticket_gone", "ticket_closed"
    replayed: bool = False


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(CallRecordResult).decode


def event_key(event_type: str, conversation_id: str) -> str:
    """The event's key among the stored events: one per conversation and event type."""
    return "call-event:" + derived_key(
        "call-event", f"{len(event_type)}:{event_type}:{conversation_id}"
    )


class RecordCall:
    """Append a finished call's note to the ticket its hand-off filed - once.

    Rules:
    - One note per conversation and event type: a repeat (ElevenLabs retries) appends nothing
      and answers what the first answered; a repeat while the first still runs waits for it
      (up to ``wait_seconds`` and the deadline, then ``DedupInProgress``: retry later). A
      failure forgets the event, so a retry records it.
    - The ticket is the one the hand-off with ``oaKey`` = the conversation id filed: the
      index's (whatever its state now: the note belongs with the call's ticket), else the
      queued hand-off's (the note is kept in the outbox and appended on delivery), else the
      helpdesk's *open* ticket under the key. None of these: IGNORED ``no_ticket``. A ticket
      the helpdesk no longer has: IGNORED ``ticket_gone``; one closed for good, which refuses
      notes (Zendesk ``closed``): IGNORED ``ticket_closed``.
    - Another hand-off filing the same key right now is waited for, as a hand-off would.
    """

    def __init__(
        self,
        helpdesk: HelpdeskGateway,
        index: TicketIndex,
        events: IdempotencyStore,
        clock: Clock,
        policy: DedupPolicy,
        outbox: Outbox | None = None,
        *,
        wait_seconds: float = WAIT_SECONDS,
        event_memory_seconds: float = EVENT_MEMORY_SECONDS,
    ) -> None:
        self._helpdesk = helpdesk
        self._events = events
        self._clock = clock
        self._policy = policy
        self._outbox = outbox
        self._claims = Claims(index, clock, policy, 30.0, wait_seconds)
        self._wait = wait_seconds
        self._memory = event_memory_seconds

    async def execute(self, record: CallRecord, deadline: Deadline) -> CallRecordResult:
        """Record ``record`` on its ticket inside ``deadline``; raises what the helpdesk or the
        stores raised (the event is then not remembered, so a retry runs it again)."""
        key = event_key(record.event_type, record.conversation_id)
        waiting = Deadline(self._clock, min(self._wait, deadline.remaining()))
        pauses = POLL_PAUSES.delays()
        while True:
            lease = deadline.remaining() + EVENT_LEASE_MARGIN_SECONDS
            begun = await self._events.begin(key, _FINGERPRINT, lease)
            if begun.state is IdempotencyState.STARTED:
                break
            if begun.state is IdempotencyState.REPLAY and begun.response is not None:
                return msgspec.structs.replace(_decode(begun.response.body), replayed=True)
            if waiting.expired():
                raise DedupInProgress("The same call event is still being recorded; retry shortly")
            await asyncio.sleep(next(pauses))
        try:
            result = await self._record(record, deadline)
        except BaseException:
            await asyncio.shield(self._events.abandon(key, _FINGERPRINT))
            raise
        stored = StoredResponse(200, _encode(result))
        # Done, whether or not it is remembered: a store failing now must not turn an appended
        # note into a failure that ElevenLabs retries (its retry would append it again).
        with contextlib.suppress(StoreUnavailable):
            await self._events.complete(key, _FINGERPRINT, stored, self._memory)
        return result

    async def _record(self, record: CallRecord, deadline: Deadline) -> CallRecordResult:
        keys = self._policy.keys_for(record.conversation_id.strip(), None, Category.UNKNOWN)
        if not keys:  # no conversation id: no hand-off can have filed under it
            return self._result(record, CallRecordOutcome.IGNORED, reason="no_ticket")
        note = render_call_note(record)
        owner = random_uuid_hex()
        claim = await self._claims.claim(keys, owner, deadline)
        if claim is None:
            raise DedupInProgress("A hand-off of this conversation is still being filed")
        if claim.state is ClaimState.FOUND and claim.ticket is not None:
            if not claim.ticket.queued:
                return await self._append(record, claim.ticket.id, note, deadline)
        elif claim.state is ClaimState.WON:  # nothing indexed: we hold the keys - let them go
            await asyncio.shield(self._claims.give_up(keys, owner, doubt=claim.uncertain))
        if self._outbox is not None:
            pending = pending_note(event_key(record.event_type, record.conversation_id), note)
            item = await self._outbox.attach_note(keys[0], pending)
            if item is not None and item.ticket_id is None:
                return self._result(record, CallRecordOutcome.QUEUED, item.reference)
            if item is not None and item.ticket_id is not None:
                return await self._append(record, item.ticket_id, note, deadline)
        found = await self._helpdesk.find_open_ticket(keys, deadline)
        if found is None:
            return self._result(record, CallRecordOutcome.IGNORED, reason="no_ticket")
        return await self._append(record, found.id, note, deadline)

    async def _append(
        self, record: CallRecord, ticket_id: str, note: TicketNote, deadline: Deadline
    ) -> CallRecordResult:
        try:
            await append_to(self._helpdesk, ticket_id, note, deadline)
        except TicketNotFound:
            return self._result(record, CallRecordOutcome.IGNORED, ticket_id, "ticket_gone")
        except HelpdeskBadResponse:  # refused: a ticket closed for good takes no more notes
            status = await self._helpdesk.get_ticket(ticket_id, deadline)
            if status is None:
                return self._result(record, CallRecordOutcome.IGNORED, ticket_id, "ticket_gone")
            if status.state is TicketState.CLOSED:
                return self._result(record, CallRecordOutcome.IGNORED, ticket_id, "ticket_closed")
            raise
        return self._result(record, CallRecordOutcome.APPENDED, ticket_id)

    @staticmethod
    def _result(
        record: CallRecord,
        outcome: CallRecordOutcome,
        ticket_id: str | None = None,
        reason: str | None = None,
    ) -> CallRecordResult:
        return CallRecordResult(
            outcome=outcome,
            conversation_id=record.conversation_id,
            ticket_id=ticket_id,
            reason=reason,
        )
