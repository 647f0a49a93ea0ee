"""Delivering queued hand-offs: once, through the same filing; later when the helpdesk says so;
dead when too old - and what ``GET /handoffs/{reference}`` reports meanwhile."""

from __future__ import annotations

import msgspec
import pytest

from adapters.stores.memory import MemoryTicketIndex
from application.errors import HandoffNotFound, HelpdeskUnavailable
from application.ids import derived_key
from application.ports import OutboxState
from application.timing.backoff import Backoff
from application.timing.deadline import Deadline
from application.use_cases.deliver_handoff import DeliverHandoff, DeliveryState
from application.use_cases.handoff_status import HandoffStatus, HandoffStatusCommand
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from tests.support.filing import COMMAND, NOTE, Bridge, Scene, StandingBudget
from tests.support.stores.memory_outbox import MemoryOutbox


async def test_a_queued_hand_off_is_delivered_once_as_a_ticket_carrying_its_reference(
    scene: Scene,
) -> None:
    item = await scene.queued_item()
    scene.slow.down = None
    outcome = await scene.deliver.execute(item)
    again = await scene.deliver.execute(item)  # a worker killed before it recorded delivery
    assert (outcome.state, outcome.created, again.created) == (DeliveryState.DELIVERED, True, False)
    assert outcome.ticket == again.ticket
    [sent] = scene.slow.created
    assert (sent.reference, sent.request_key) == (
        item.reference,
        derived_key("create", "oa:conv-5"),
    )
    kept = await scene.outbox.get(item.reference)
    assert kept is not None
    assert (kept.state, kept.ticket_id) == (OutboxState.DELIVERED, outcome.ticket.id)
    later = await scene.hand_off()
    assert (later.created, later.queued, later.ticket) == (False, False, outcome.ticket)


async def test_a_failed_delivery_is_postponed_past_the_helpdesks_retry_after(
    scene: Scene,
) -> None:
    item = await scene.queued_item()
    scene.slow.down = HelpdeskUnavailable("Rate limited", retry_after=120.0)
    outcome = await scene.deliver.execute(item)
    assert outcome.state is DeliveryState.POSTPONED
    assert outcome.next_attempt_at == scene.clock.now() + 120.0
    kept = await scene.outbox.get(item.reference)
    assert kept is not None
    assert (kept.attempts, kept.last_error) == (1, "HELPDESK_UNAVAILABLE")
    # the marker is back: the same problem still answers with the reference
    repeat = await scene.hand_off()
    assert (repeat.queued, repeat.created, repeat.ticket.id) == (True, False, item.reference)


async def test_a_blocked_budget_postpones_without_calling_the_helpdesk(scene: Scene) -> None:
    item = await scene.queued_item()
    budget = StandingBudget(blocked=45.0)
    calls, scene.slow.down = len(scene.slow.calls), None
    deliver = DeliverHandoff(scene.bridge.filing, scene.outbox, scene.clock, budget=budget)
    outcome = await deliver.execute(item)
    assert (outcome.state, outcome.next_attempt_at) == (
        DeliveryState.POSTPONED,
        scene.clock.now() + 45.0,
    )
    assert len(scene.slow.calls) == calls


async def test_a_delivery_meeting_a_live_filing_of_its_problem_is_postponed_at_once(
    scene: Scene,
) -> None:
    item = await scene.queued_item()
    await scene.bridge.filing.forget(item)
    await scene.bridge.index.claim(item.dedup_keys, "a-live-hand-off", 60.0)
    scene.slow.down = None
    outcome = await scene.deliver.execute(item)  # the manual clock never moves: no waiting
    assert (outcome.state, outcome.error) == (DeliveryState.POSTPONED, "DEDUP_IN_PROGRESS")
    assert outcome.next_attempt_at == scene.clock.now() + 5.0
    assert scene.slow.created == []


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 5.0), (2, 10.0), (3, 20.0), (7, 320.0), (8, 600.0), (30, 600.0)]
)
def test_backoff_doubles_up_to_its_cap(attempts: int, seconds: float) -> None:
    assert Backoff(first=5.0, cap=600.0).delay(attempts - 1) == seconds


async def test_an_item_older_than_the_max_age_is_dead_and_forgotten_by_the_index(
    scene: Scene,
) -> None:
    item = await scene.queued_item()
    scene.clock.advance(3601.0)
    outcome = await scene.deliver.execute(item)
    assert (outcome.state, outcome.error) == (DeliveryState.DEAD, "EXPIRED")
    kept = await scene.outbox.get(item.reference)
    assert kept is not None
    assert (kept.state, kept.last_error) == (OutboxState.DEAD, "EXPIRED")
    scene.slow.down = None  # the problem is filed afresh, not answered with a dead reference
    fresh = await scene.hand_off()
    assert (fresh.created, fresh.queued) == (True, False)


async def test_an_unreadable_item_is_dead_not_retried(scene: Scene) -> None:
    item = await scene.queued_item()
    broken = msgspec.structs.replace(item, problem=b"{not json")
    outcome = await scene.deliver.execute(broken)
    assert (outcome.state, outcome.error) == (DeliveryState.DEAD, "UNREADABLE")


@pytest.mark.parametrize("same_index", [True, False])
async def test_a_delivery_after_the_problem_was_filed_answers_with_that_ticket(
    scene: Scene, same_index: bool
) -> None:
    """The index was lost while the item was queued; a new hand-off filed the ticket directly.
    The delivery finds it (in the index, or at the helpdesk) instead of filing a second."""
    clock, slow, outbox = scene.clock, scene.slow, scene.outbox
    queued = await scene.queued_item()
    slow.down = None
    live = Bridge(clock, slow, outbox, MemoryTicketIndex(clock))
    filed = await OaHandoff(live.filing).execute(COMMAND, Deadline(clock, 10.0))
    worker = live if same_index else Bridge(clock, slow, outbox, MemoryTicketIndex(clock))
    outcome = await DeliverHandoff(worker.filing, outbox, clock).execute(queued)
    assert (outcome.state, outcome.created) == (DeliveryState.DELIVERED, False)
    assert outcome.ticket == filed.ticket
    assert len(slow.tickets) == 1


async def test_a_keyless_delivery_uses_the_key_derived_from_its_reference(scene: Scene) -> None:
    item = await scene.queued_item(OaHandoffCommand(note=NOTE))
    scene.slow.down = None
    await scene.deliver.execute(item)
    [sent] = scene.slow.created
    assert sent.request_key == derived_key("create", item.reference)


async def test_status_follows_a_hand_off_from_queued_to_delivered(scene: Scene) -> None:
    item = await scene.queued_item()
    status = HandoffStatus(scene.outbox)
    spoken = item.reference.lower().replace("-", "- ")  # as a caller may read it out
    before = await status.execute(HandoffStatusCommand(reference=spoken))
    assert (before.reference, before.state, before.ticket_id, before.attempts) == (
        item.reference,
        OutboxState.QUEUED,
        None,
        0,
    )
    scene.slow.down = None
    scene.clock.advance(60.0)
    outcome = await scene.deliver.execute(item)
    after = await status.execute(HandoffStatusCommand(reference=item.reference))
    assert outcome.ticket is not None
    assert (after.state, after.ticket_id, after.ticket_url) == (
        OutboxState.DELIVERED,
        outcome.ticket.id,
        outcome.ticket.url,
    )
    assert (after.queued_at, after.delivered_at) == (item.queued_at, scene.clock.now())


async def test_status_of_an_unknown_reference_is_not_found() -> None:
    with pytest.raises(HandoffNotFound) as missing:
        await HandoffStatus(MemoryOutbox()).execute(HandoffStatusCommand(reference="HB-AAAAAA"))
    assert missing.value.code == "NOT_FOUND"
