"""Issue 10 on the filing side: one deadline for the whole hand-off, and claims that survive
doubt - a create that may have landed is never followed by a second ticket."""

from __future__ import annotations

import asyncio

import pytest

from adapters.clock import ManualClock
from adapters.stores.memory import MemoryTicketIndex
from application.errors import DedupInProgress, HelpdeskUnavailable
from application.filing.ticket_filing import DownPolicy
from application.ids import derived_key
from application.ports import Claim, ClaimState
from application.timing.deadline import Deadline
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from tests.support.filing import NOTE, Bridge, SlowHelpdesk
from tests.support.stores.memory_outbox import MemoryOutbox

COMMAND = OaHandoffCommand(note=NOTE, oa_key="conv-9")
KEYS = ("oa:conv-9",)


def failing_bridge(clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex) -> OaHandoff:
    return OaHandoff(Bridge(clock, slow, MemoryOutbox(), index, DownPolicy.FAIL).filing)


async def test_a_slow_helpdesk_is_cut_off_at_the_deadline(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    slow.latency = {"find_open_ticket": 4.0, "create_ticket": 12.0}
    arrival = clock.monotonic()
    with pytest.raises(HelpdeskUnavailable):
        await failing_bridge(clock, slow, index).execute(COMMAND, Deadline(clock, 10.0))
    assert clock.monotonic() - arrival == pytest.approx(10.0)
    assert slow.calls == ["find_open_ticket", "create_ticket"]


async def test_no_call_starts_when_the_deadline_has_passed(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    deadline = Deadline(clock, 10.0)
    clock.advance(10.0)  # e.g. the request queued behind others
    with pytest.raises(HelpdeskUnavailable):
        await failing_bridge(clock, slow, index).execute(COMMAND, deadline)
    assert slow.calls == []


async def test_waiting_on_another_claim_ends_at_the_deadline(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    await index.claim(KEYS, "another-instance", lease_seconds=60)
    waiter = asyncio.create_task(
        failing_bridge(clock, slow, index).execute(COMMAND, Deadline(clock, 3.0))
    )
    await asyncio.sleep(0.01)
    assert not waiter.done()
    clock.advance(3.0)  # the deadline, far short of the 15 s wait
    with pytest.raises(DedupInProgress):
        await waiter


@pytest.mark.parametrize(
    ("uncertain", "next_claim"),
    [
        (True, Claim(ClaimState.WON, uncertain=True)),  # kept, for the next filing to take over
        (False, Claim(ClaimState.WON)),  # refused before sending: released
    ],
)
async def test_a_failed_create_keeps_its_claim_only_in_doubt(
    clock: ManualClock,
    slow: SlowHelpdesk,
    index: MemoryTicketIndex,
    uncertain: bool,
    next_claim: Claim,
) -> None:
    if uncertain:
        slow.latency = {"create_ticket": 12.0}
    else:
        slow.down = HelpdeskUnavailable("refused")
    with pytest.raises(HelpdeskUnavailable):
        await failing_bridge(clock, slow, index).execute(COMMAND, Deadline(clock, 10.0))
    assert await index.claim(KEYS, "next", 30.0) == next_claim


async def test_a_hand_off_cancelled_while_its_create_is_out_leaves_the_claim_in_doubt(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    slow.hold = asyncio.Event()
    task = asyncio.create_task(failing_bridge(clock, slow, index).execute(COMMAND))
    await asyncio.sleep(0.01)
    assert slow.created  # sent, no answer yet
    task.cancel()  # e.g. the process shutting down
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await index.claim(KEYS, "next", 30.0) == Claim(ClaimState.WON, uncertain=True)


async def test_a_retry_after_doubt_files_one_ticket_with_the_same_request(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    """The first create landed but its answer was lost and a search does not show it yet: the
    retry sends the very same request, which the helpdesk's idempotency maps to that ticket."""
    slow.latency = {"create_ticket": 12.0}
    slow.searchable = False
    handoff = failing_bridge(clock, slow, index)
    with pytest.raises(HelpdeskUnavailable):
        await handoff.execute(COMMAND, Deadline(clock, 10.0))
    slow.latency = {}
    retried = await handoff.execute(COMMAND, Deadline(clock, 10.0))
    assert len(slow.tickets) == 1
    assert retried.ticket.id in slow.tickets
    first, second = slow.created
    assert first == second
    assert first.request_key == derived_key("create", "oa:conv-9")


async def test_a_retry_after_doubt_finds_the_landed_ticket_first(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    slow.latency = {"create_ticket": 12.0}
    handoff = failing_bridge(clock, slow, index)
    with pytest.raises(HelpdeskUnavailable):
        await handoff.execute(COMMAND, Deadline(clock, 10.0))
    slow.latency = {}
    retried = await handoff.execute(COMMAND, Deadline(clock, 10.0))
    assert (retried.created, len(slow.created)) == (False, 1)
    assert slow.calls[-1] == "find_open_ticket"


async def test_concurrent_hand_offs_over_lost_indexes_and_a_retry_make_one_ticket(
    clock: ManualClock, slow: SlowHelpdesk
) -> None:
    """Five instances (an empty index each, as after Redis restarted empty) and a retry, with a
    search that does not show new tickets yet: the request key is derived from the problem,
    never per attempt, so the helpdesk sees one ticket."""
    slow.searchable = False
    outbox = MemoryOutbox()
    bridges = [OaHandoff(Bridge(clock, slow, outbox).filing) for _ in range(5)]
    results = await asyncio.gather(*(b.execute(COMMAND, Deadline(clock, 10.0)) for b in bridges))
    retry = await bridges[0].execute(COMMAND, Deadline(clock, 10.0))
    assert len(slow.tickets) == 1
    assert {r.ticket.id for r in [*results, retry]} == set(slow.tickets)
    assert len({t.request_key for t in slow.created}) == 1


async def test_without_a_deadline_the_helpdesk_keeps_its_own_limits(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    slow.latency = {"create_ticket": 12.0}
    result = await failing_bridge(clock, slow, index).execute(COMMAND)
    assert result.created


async def test_after_the_window_a_helpdesk_remembering_the_key_still_gets_a_new_ticket(
    clock: ManualClock, slow: SlowHelpdesk, index: MemoryTicketIndex
) -> None:
    """The request key is the problem's, so a helpdesk that remembers keys longer than the
    dedup window answers the old ticket: the new period is filed under a chained key."""
    handoff = failing_bridge(clock, slow, index)
    first = await handoff.execute(COMMAND)
    clock.advance(4 * 3600 + 1)
    later = await handoff.execute(COMMAND)
    assert later.created
    assert later.ticket.id != first.ticket.id
    assert len(slow.tickets) == 2
