"""HELPDESK_DOWN_POLICY=queue: a hand-off the helpdesk cannot take inside the deadline is kept in
the outbox and answered with a bridge reference - the same one for the same problem."""

from __future__ import annotations

import asyncio
import re

import pytest

from adapters.stores.memory import MemoryTicketIndex
from application.errors import HelpdeskUnavailable, StoreUnavailable
from application.filing import handoff_queue
from application.filing.ticket_filing import DownPolicy
from application.ports import ClaimState, OutboxState, QueuedHandoff
from application.timing.deadline import Deadline
from application.use_cases.find_or_create_ticket import (
    FindOrCreateTicket,
    FindOrCreateTicketCommand,
)
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from tests.support.filing import BASE_URL, COMMAND, NOTE, Bridge, Scene, StandingBudget

REFERENCE = re.compile(r"HB-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}")


async def test_a_hand_off_the_helpdesk_cannot_take_is_queued(scene: Scene) -> None:
    result = await scene.hand_off()
    assert (result.created, result.queued, result.ticket.queued) == (True, True, True)
    reference = result.ticket.id
    assert REFERENCE.fullmatch(reference)
    assert result.ticket.url == f"{BASE_URL}/handoffs/{reference}"
    assert result.ticket.created_at == scene.clock.now()
    assert result.problem.caller_number == "+14155552671"
    kept = await scene.outbox.get(reference)
    assert kept is not None
    assert kept.state is OutboxState.QUEUED
    assert kept.dedup_keys == ("oa:conv-5", "caller:+14155552671:WiFi")


async def test_the_same_problem_while_queued_gets_the_same_reference_without_a_call(
    scene: Scene,
) -> None:
    first = await scene.hand_off()
    calls = len(scene.slow.calls)
    again = await scene.hand_off()
    rang_back = await scene.hand_off(
        OaHandoffCommand(note=NOTE, oa_key="conv-6", caller_number="+14155552671")
    )
    assert (again.created, again.queued, again.ticket) == (False, True, first.ticket)
    assert (rang_back.created, rang_back.ticket) == (False, first.ticket)
    assert len(scene.slow.calls) == calls
    assert len(await scene.outbox.items(None, 10)) == 1


async def test_with_the_index_lost_the_outbox_still_answers_the_same_reference(
    scene: Scene,
) -> None:
    first = await scene.hand_off()
    restarted = Bridge(scene.clock, scene.slow, scene.outbox, MemoryTicketIndex(scene.clock))
    again = await OaHandoff(restarted.filing).execute(COMMAND, Deadline(scene.clock, 10.0))
    assert (again.created, again.queued, again.ticket.id) == (False, True, first.ticket.id)
    assert len(await scene.outbox.items(None, 10)) == 1


async def test_a_reference_already_taken_is_drawn_again(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = QueuedHandoff(reference="HB-TAKEN2", problem=b"{}", dedup_keys=(), queued_at=0.0)
    await scene.outbox.put(taken)
    draws = iter(["HB-TAKEN2", "HB-FRESH3"])
    monkeypatch.setattr(handoff_queue, "handoff_reference", lambda: next(draws))
    result = await scene.hand_off()
    assert (result.created, result.ticket.id) == (True, "HB-FRESH3")


async def test_an_outbox_that_cannot_keep_it_refuses_loudly(scene: Scene) -> None:
    scene.outbox.available = False
    with pytest.raises(StoreUnavailable):
        await scene.hand_off()
    scene.outbox.available = True  # the claim was not left blocking the problem
    assert (await scene.hand_off()).created


async def test_a_slow_create_is_queued_inside_the_deadline_and_delivered_as_that_ticket(
    scene: Scene,
) -> None:
    scene.slow.down = None
    scene.slow.latency = {"create_ticket": 12.0}
    arrival = scene.clock.monotonic()
    item = await scene.queued_item()
    assert scene.clock.monotonic() - arrival < 10.0
    assert len(scene.slow.tickets) == 1  # the cut-short create landed all the same
    scene.slow.latency = {}
    delivered = await scene.bridge.filing.deliver(item)
    assert (delivered.created, delivered.ticket.id) == (False, *scene.slow.tickets)


FILED = ["find_open_ticket", "create_ticket"]


@pytest.mark.parametrize(
    ("blocked", "readable", "calls", "queued"),
    [
        (30.0, True, [], True),  # the Retry-After outlasts the deadline: queued, no call
        (9.4, True, [], True),  # ends too late to leave time for a call
        (2.0, True, FILED, False),  # ends in time: filed
        (30.0, False, FILED, False),  # unreadable budget: advice only, the hand-off goes on
    ],
)
async def test_the_budget_decides_whether_the_helpdesk_is_called(
    scene: Scene, blocked: float, readable: bool, calls: list[str], queued: bool
) -> None:
    scene.slow.down = None
    budget = StandingBudget(blocked=blocked)
    budget.readable = readable
    bridge = Bridge(scene.clock, scene.slow, scene.outbox, budget=budget)
    result = await OaHandoff(bridge.filing).execute(COMMAND, Deadline(scene.clock, 10.0))
    assert (result.queued, scene.slow.calls) == (queued, calls)


async def test_a_hand_off_waiting_on_a_stuck_claim_is_queued_before_the_deadline(
    scene: Scene,
) -> None:
    index, clock = scene.bridge.index, scene.clock
    await index.claim(("oa:conv-5",), "stuck-instance", 60.0)
    waiter = asyncio.create_task(
        OaHandoff(scene.bridge.filing).execute(COMMAND, Deadline(clock, 3.0))
    )
    await asyncio.sleep(0.01)
    clock.advance(2.6)  # past the helpdesk's share (the deadline less the queueing reserve)
    result = await waiter
    assert (result.created, result.queued) == (True, True)
    assert scene.slow.calls == []
    assert (await index.claim(("oa:conv-5",), "other", 30.0)).state is ClaimState.BUSY


@pytest.mark.parametrize(
    ("budget", "calls", "retry_after"),
    [(None, ["find_open_ticket"], None), (StandingBudget(blocked=30.0), [], 30.0)],
)
async def test_the_fail_policy_answers_unavailable_and_keeps_nothing(
    scene: Scene, budget: StandingBudget | None, calls: list[str], retry_after: float | None
) -> None:
    bridge = Bridge(scene.clock, scene.slow, scene.outbox, policy=DownPolicy.FAIL, budget=budget)
    with pytest.raises(HelpdeskUnavailable) as refused:
        await OaHandoff(bridge.filing).execute(COMMAND, Deadline(scene.clock, 10.0))
    assert refused.value.retry_after == retry_after
    assert scene.slow.calls == calls
    assert await scene.outbox.items(None, 10) == []


async def test_a_keyless_hand_off_is_queued_under_its_own_reference(scene: Scene) -> None:
    first = await scene.hand_off(OaHandoffCommand(note=NOTE))
    second = await scene.hand_off(OaHandoffCommand(note=NOTE))
    assert (first.created, second.created) == (True, True)
    assert first.ticket.id != second.ticket.id
    assert [i.dedup_keys for i in await scene.outbox.items(None, 10)] == [(), ()]


async def test_find_or_create_queues_and_dedups_like_the_hand_off(scene: Scene) -> None:
    """The MCP tools go through the same filing: a queued answer, the same reference."""
    spoken = await scene.hand_off()
    typed = await FindOrCreateTicket(scene.bridge.filing).execute(
        FindOrCreateTicketCommand(description="The WiFi keeps dropping", oa_key="conv-5"),
        Deadline(scene.clock, 10.0),
    )
    assert (typed.created, typed.queued, typed.ticket) == (False, True, spoken.ticket)
