"""Delivering queued hand-offs: once, through the same filing; later when the helpdesk says so;
dead when too old - and what ``GET /handoffs/{reference}`` reports meanwhile."""

from __future__ import annotations

import msgspec
import pytest
from filing_support import NOTE, Bridge, SlowHelpdesk, StandingBudget

from adapters.clock import ManualClock
from adapters.outbox import MemoryOutbox
from adapters.stores.memory import MemoryTicketIndex
from application.deadline import Deadline
from application.deliver_handoff import DeliverHandoff, DeliveryState, backoff_seconds
from application.errors import HandoffNotFound, HelpdeskUnavailable
from application.handoff_status import HandoffStatus, HandoffStatusCommand
from application.ids import derived_key
from application.oa_handoff import OaHandoff, OaHandoffCommand
from application.ports import OutboxState, QueuedHandoff

COMMAND = OaHandoffCommand(note=NOTE, oa_key="conv-3")


@pytest.fixture
def slow(clock: ManualClock) -> SlowHelpdesk:
    helpdesk = SlowHelpdesk(clock)
    helpdesk.down = HelpdeskUnavailable("The helpdesk is unavailable")
    return helpdesk


@pytest.fixture
def outbox() -> MemoryOutbox:
    return MemoryOutbox()


@pytest.fixture
def bridge(clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox) -> Bridge:
    return Bridge(clock, slow, outbox)


@pytest.fixture
def deliver(bridge: Bridge, outbox: MemoryOutbox, clock: ManualClock) -> DeliverHandoff:
    return DeliverHandoff(bridge.filing, outbox, clock, max_age_seconds=3600.0)


async def queued_item(
    bridge: Bridge, outbox: MemoryOutbox, clock: ManualClock, command: OaHandoffCommand = COMMAND
) -> QueuedHandoff:
    """Queue a hand-off while the helpdesk is down and lease it, as the worker would."""
    result = await OaHandoff(bridge.filing).execute(command, Deadline(clock, 10.0))
    assert result.queued
    leased = await outbox.lease("worker", clock.now(), 30.0, 10)
    return next(item for item in leased if item.reference == result.ticket.id)


async def test_a_queued_hand_off_is_delivered_once_as_a_ticket_carrying_its_reference(
    bridge: Bridge,
    outbox: MemoryOutbox,
    clock: ManualClock,
    slow: SlowHelpdesk,
    deliver: DeliverHandoff,
) -> None:
    item = await queued_item(bridge, outbox, clock)
    slow.down = None
    outcome = await deliver.execute(item)
    again = await deliver.execute(item)  # a worker killed before it recorded the delivery
    assert (outcome.state, outcome.created, again.created) == (DeliveryState.DELIVERED, True, False)
    assert outcome.ticket == again.ticket
    [sent] = slow.created
    assert (sent.reference, sent.request_key) == (
        item.reference,
        derived_key("create", "oa:conv-3"),
    )
    kept = await outbox.get(item.reference)
    assert kept is not None
    assert (kept.state, kept.ticket_id) == (OutboxState.DELIVERED, outcome.ticket.id)
    later = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert (later.created, later.queued, later.ticket) == (False, False, outcome.ticket)


async def test_a_failed_delivery_is_postponed_past_the_helpdesks_retry_after(
    bridge: Bridge,
    outbox: MemoryOutbox,
    clock: ManualClock,
    slow: SlowHelpdesk,
    deliver: DeliverHandoff,
) -> None:
    item = await queued_item(bridge, outbox, clock)
    slow.down = HelpdeskUnavailable("Rate limited", retry_after=120.0)
    outcome = await deliver.execute(item)
    assert outcome.state is DeliveryState.POSTPONED
    assert outcome.next_attempt_at == clock.now() + 120.0
    kept = await outbox.get(item.reference)
    assert kept is not None
    assert (kept.attempts, kept.last_error) == (1, "HELPDESK_UNAVAILABLE")
    # the marker is back: the same problem still answers with the reference
    repeat = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert (repeat.queued, repeat.created, repeat.ticket.id) == (True, False, item.reference)


async def test_a_blocked_budget_postpones_without_calling_the_helpdesk(
    clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox
) -> None:
    budget = StandingBudget()
    bridge = Bridge(clock, slow, outbox, budget=budget)
    item = await queued_item(bridge, outbox, clock)
    calls, slow.down, budget.blocked = len(slow.calls), None, 45.0
    outcome = await DeliverHandoff(bridge.filing, outbox, clock, budget=budget).execute(item)
    assert (outcome.state, outcome.next_attempt_at) == (
        DeliveryState.POSTPONED,
        clock.now() + 45.0,
    )
    assert len(slow.calls) == calls


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 5.0), (2, 10.0), (3, 20.0), (7, 320.0), (8, 600.0), (30, 600.0)]
)
def test_backoff_doubles_up_to_its_cap(attempts: int, seconds: float) -> None:
    assert backoff_seconds(attempts, first=5.0, cap=600.0) == seconds


async def test_an_item_older_than_the_max_age_is_dead_and_forgotten_by_the_index(
    bridge: Bridge,
    outbox: MemoryOutbox,
    clock: ManualClock,
    slow: SlowHelpdesk,
    deliver: DeliverHandoff,
) -> None:
    item = await queued_item(bridge, outbox, clock)
    clock.advance(3601.0)
    outcome = await deliver.execute(item)
    assert (outcome.state, outcome.error) == (DeliveryState.DEAD, "EXPIRED")
    kept = await outbox.get(item.reference)
    assert kept is not None
    assert (kept.state, kept.last_error) == (OutboxState.DEAD, "EXPIRED")
    slow.down = None  # the next hand-off of the problem is filed afresh, not given a dead reference
    fresh = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert (fresh.created, fresh.queued) == (True, False)


async def test_an_unreadable_item_is_dead_not_retried(
    bridge: Bridge, outbox: MemoryOutbox, clock: ManualClock, deliver: DeliverHandoff
) -> None:
    item = await queued_item(bridge, outbox, clock)
    broken = msgspec.structs.replace(item, problem=b"{not json")
    outcome = await deliver.execute(broken)
    assert (outcome.state, outcome.error) == (DeliveryState.DEAD, "UNREADABLE")


@pytest.mark.parametrize("same_index", [True, False])
async def test_a_delivery_after_the_problem_was_filed_answers_with_that_ticket(
    clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox, same_index: bool
) -> None:
    """The index was lost while the item was queued; a new hand-off filed the ticket directly.
    The delivery finds it (in the index, or at the helpdesk) instead of filing a second."""
    queued = await queued_item(Bridge(clock, slow, outbox), outbox, clock)
    slow.down = None
    live = Bridge(clock, slow, outbox, MemoryTicketIndex(clock))
    filed = await OaHandoff(live.filing).execute(COMMAND, Deadline(clock, 10.0))
    worker = live if same_index else Bridge(clock, slow, outbox, MemoryTicketIndex(clock))
    outcome = await DeliverHandoff(worker.filing, outbox, clock).execute(queued)
    assert (outcome.state, outcome.created) == (DeliveryState.DELIVERED, False)
    assert outcome.ticket == filed.ticket
    assert len(slow.tickets) == 1


async def test_a_keyless_delivery_uses_the_key_derived_from_its_reference(
    bridge: Bridge,
    outbox: MemoryOutbox,
    clock: ManualClock,
    slow: SlowHelpdesk,
    deliver: DeliverHandoff,
) -> None:
    item = await queued_item(bridge, outbox, clock, OaHandoffCommand(note=NOTE))
    slow.down = None
    await deliver.execute(item)
    [sent] = slow.created
    assert sent.request_key == derived_key("create", item.reference)


async def test_status_follows_a_hand_off_from_queued_to_delivered(
    bridge: Bridge,
    outbox: MemoryOutbox,
    clock: ManualClock,
    slow: SlowHelpdesk,
    deliver: DeliverHandoff,
) -> None:
    item = await queued_item(bridge, outbox, clock)
    status = HandoffStatus(outbox)
    spoken = item.reference.lower().replace("-", "- ")  # as a caller may read it out
    before = await status.execute(HandoffStatusCommand(reference=spoken))
    assert (before.reference, before.state, before.ticket_id, before.attempts) == (
        item.reference,
        OutboxState.QUEUED,
        None,
        0,
    )
    slow.down = None
    clock.advance(60.0)
    outcome = await deliver.execute(item)
    after = await status.execute(HandoffStatusCommand(reference=item.reference))
    assert outcome.ticket is not None
    assert (after.state, after.ticket_id, after.ticket_url) == (
        OutboxState.DELIVERED,
        outcome.ticket.id,
        outcome.ticket.url,
    )
    assert (after.queued_at, after.delivered_at) == (item.queued_at, clock.now())


async def test_status_of_an_unknown_reference_is_not_found(outbox: MemoryOutbox) -> None:
    with pytest.raises(HandoffNotFound) as missing:
        await HandoffStatus(outbox).execute(HandoffStatusCommand(reference="HB-AAAAAA"))
    assert missing.value.code == "NOT_FOUND"
