"""HELPDESK_DOWN_POLICY=queue: a hand-off the helpdesk cannot take inside the deadline is kept in
the outbox and answered with a bridge reference - the same one for the same problem."""

from __future__ import annotations

import asyncio
import re

import pytest
from filing_support import BASE_URL, NOTE, Bridge, SlowHelpdesk, StandingBudget

from adapters.clock import ManualClock
from adapters.outbox import MemoryOutbox
from adapters.stores.memory import MemoryTicketIndex
from application.deadline import Deadline
from application.errors import HelpdeskUnavailable, StoreUnavailable
from application.oa_handoff import OaHandoff, OaHandoffCommand
from application.ports import ClaimState, OutboxState
from application.ticket_filing import DownPolicy

COMMAND = OaHandoffCommand(note=NOTE, oa_key="conv-5", caller_number="+14155552671")
REFERENCE = re.compile(r"HB-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}")


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


async def test_a_hand_off_the_helpdesk_cannot_take_is_queued(
    bridge: Bridge, outbox: MemoryOutbox, clock: ManualClock
) -> None:
    result = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert (result.created, result.queued, result.ticket.queued) == (True, True, True)
    reference = result.ticket.id
    assert REFERENCE.fullmatch(reference)
    assert result.ticket.url == f"{BASE_URL}/handoffs/{reference}"
    assert result.ticket.created_at == clock.now()
    assert result.problem.caller_number == "+14155552671"
    kept = await outbox.get(reference)
    assert kept is not None
    assert kept.state is OutboxState.QUEUED
    assert kept.dedup_keys == ("oa:conv-5", "caller:+14155552671:WiFi")


async def test_the_same_problem_while_queued_gets_the_same_reference_without_a_call(
    bridge: Bridge, slow: SlowHelpdesk, outbox: MemoryOutbox, clock: ManualClock
) -> None:
    handoff = OaHandoff(bridge.filing)
    first = await handoff.execute(COMMAND, Deadline(clock, 10.0))
    calls = len(slow.calls)
    again = await handoff.execute(COMMAND, Deadline(clock, 10.0))
    rang_back = await handoff.execute(
        OaHandoffCommand(note=NOTE, oa_key="conv-6", caller_number="+14155552671"),
        Deadline(clock, 10.0),
    )
    assert (again.created, again.queued, again.ticket) == (False, True, first.ticket)
    assert (rang_back.created, rang_back.ticket) == (False, first.ticket)
    assert len(slow.calls) == calls
    assert len(await outbox.items(None, 10)) == 1


async def test_with_the_index_lost_the_outbox_still_answers_the_same_reference(
    clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox
) -> None:
    first = await OaHandoff(Bridge(clock, slow, outbox).filing).execute(COMMAND)
    restarted = Bridge(clock, slow, outbox, MemoryTicketIndex(clock))
    again = await OaHandoff(restarted.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert (again.created, again.queued, again.ticket.id) == (False, True, first.ticket.id)
    assert len(await outbox.items(None, 10)) == 1


async def test_an_outbox_that_cannot_keep_it_refuses_loudly(
    bridge: Bridge, outbox: MemoryOutbox, clock: ManualClock
) -> None:
    outbox.available = False
    handoff = OaHandoff(bridge.filing)
    with pytest.raises(StoreUnavailable):
        await handoff.execute(COMMAND, Deadline(clock, 10.0))
    outbox.available = True  # the claim was not left blocking the problem
    assert (await handoff.execute(COMMAND, Deadline(clock, 10.0))).created


async def test_a_slow_create_is_queued_inside_the_deadline_and_delivered_as_that_ticket(
    clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox
) -> None:
    slow.down = None
    slow.latency = {"create_ticket": 12.0}
    bridge = Bridge(clock, slow, outbox)
    arrival = clock.monotonic()
    queued = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert queued.queued
    assert clock.monotonic() - arrival < 10.0
    assert len(slow.tickets) == 1  # the cut-short create landed all the same
    [item] = await outbox.lease("worker", clock.now(), 30.0, 10)
    slow.latency = {}
    delivered = await bridge.filing.deliver(item)
    assert (delivered.created, delivered.ticket.id) == (False, *slow.tickets)


async def test_a_budget_that_outlasts_the_deadline_queues_without_calling(
    clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox
) -> None:
    slow.down = None
    bridge = Bridge(clock, slow, outbox, budget=StandingBudget(blocked=30.0))
    result = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert result.queued
    assert slow.calls == []


async def test_a_budget_that_ends_inside_the_deadline_lets_the_hand_off_through(
    clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox
) -> None:
    slow.down = None
    bridge = Bridge(clock, slow, outbox, budget=StandingBudget(blocked=2.0))
    result = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert (result.created, result.queued) == (True, False)


async def test_a_hand_off_waiting_on_a_stuck_claim_is_queued_before_the_deadline(
    clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox
) -> None:
    bridge = Bridge(clock, slow, outbox)
    await bridge.index.claim(("oa:conv-5",), "stuck-instance", 60.0)
    waiter = asyncio.create_task(OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 3.0)))
    await asyncio.sleep(0.01)
    clock.advance(2.6)  # past the helpdesk's share (the deadline less the queueing reserve)
    result = await waiter
    assert (result.created, result.queued) == (True, True)
    assert slow.calls == []
    assert (await bridge.index.claim(("oa:conv-5",), "other", 30.0)).state is ClaimState.BUSY


@pytest.mark.parametrize(
    ("budget", "calls", "retry_after"),
    [(None, ["find_open_ticket"], None), (StandingBudget(blocked=30.0), [], 30.0)],
)
async def test_the_fail_policy_answers_unavailable_and_keeps_nothing(
    clock: ManualClock,
    slow: SlowHelpdesk,
    outbox: MemoryOutbox,
    budget: StandingBudget | None,
    calls: list[str],
    retry_after: float | None,
) -> None:
    bridge = Bridge(clock, slow, outbox, policy=DownPolicy.FAIL, budget=budget)
    with pytest.raises(HelpdeskUnavailable) as refused:
        await OaHandoff(bridge.filing).execute(COMMAND, Deadline(clock, 10.0))
    assert refused.value.retry_after == retry_after
    assert slow.calls == calls
    assert await outbox.items(None, 10) == []


async def test_a_keyless_hand_off_is_queued_under_its_own_reference(
    bridge: Bridge, outbox: MemoryOutbox, clock: ManualClock
) -> None:
    handoff = OaHandoff(bridge.filing)
    first = await handoff.execute(OaHandoffCommand(note=NOTE), Deadline(clock, 10.0))
    second = await handoff.execute(OaHandoffCommand(note=NOTE), Deadline(clock, 10.0))
    assert (first.created, second.created) == (True, True)
    assert first.ticket.id != second.ticket.id
    assert [i.dedup_keys for i in await outbox.items(None, 10)] == [(), ()]
