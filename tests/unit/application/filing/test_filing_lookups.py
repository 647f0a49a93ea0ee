"""When the filing asks the helpdesk before filing (issue 19): only when the index may have
forgotten - a young index (a first start, a lost store), a claim taken over from a holder that
may have filed, an uncertain claim. Once the index has held everything for a whole dedup window,
a new problem costs one helpdesk call, and a repeat none; and no path files a second ticket."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from adapters.stores.memory import MemoryTicketIndex
from application.filing.problem import new_ticket
from application.ids import derived_key
from application.timing.deadline import Deadline
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from domain.dedup import DedupPolicy
from tests.support.filing import COMMAND, Bridge, SlowHelpdesk
from tests.support.stores.memory_outbox import MemoryOutbox

WINDOW = DedupPolicy().window_seconds
LEASE = 30.0  # TicketFiling's claim lease


class Setting:
    def __init__(self) -> None:
        self.clock = ManualClock()
        self.helpdesk = SlowHelpdesk(self.clock)
        self.outbox = MemoryOutbox()
        self.bridge = Bridge(self.clock, self.helpdesk, self.outbox)

    async def hand_off(self, command: OaHandoffCommand = COMMAND, bridge: Bridge | None = None):
        filing = (bridge or self.bridge).filing
        return await OaHandoff(filing).execute(command, Deadline(self.clock, 10.0))

    def keys(self, command: OaHandoffCommand = COMMAND) -> tuple[str, ...]:
        problem = OaHandoff(self.bridge.filing).resolve(command)
        return DedupPolicy().keys_for(problem.oa_key, problem.caller_number, problem.category)


@pytest.fixture
def setting() -> Setting:
    return Setting()


async def test_a_young_index_asks_the_helpdesk_before_filing(setting: Setting) -> None:
    filed = await setting.hand_off()
    assert filed.created
    assert setting.helpdesk.calls == ["find_open_ticket", "create_ticket"]


async def test_an_index_complete_for_a_window_files_at_once(setting: Setting) -> None:
    setting.clock.advance(WINDOW)
    filed = await setting.hand_off()
    assert filed.created
    assert setting.helpdesk.calls == ["create_ticket"]
    again = await setting.hand_off()  # the same problem, a dedup hit: nothing asked
    assert (again.created, again.ticket.id) == (False, filed.ticket.id)
    assert setting.helpdesk.calls == ["create_ticket"]


async def test_a_claim_whose_holder_died_is_looked_up_and_its_ticket_found(
    setting: Setting,
) -> None:
    setting.clock.advance(WINDOW)
    keys = setting.keys()
    # Another instance claimed the problem, filed its ticket and died before indexing it.
    await setting.bridge.index.claim(keys, "dead", LEASE, remember_seconds=WINDOW)
    problem = OaHandoff(setting.bridge.filing).resolve(COMMAND)
    filed_before = await setting.helpdesk.create_ticket(
        new_ticket(problem, keys[0], derived_key("create", keys[0]))
    )
    setting.clock.advance(LEASE + 1)  # its lease lapses; its claim is remembered
    setting.helpdesk.calls.clear()
    found = await setting.hand_off()
    assert (found.created, found.ticket.id) == (False, filed_before.id)
    assert setting.helpdesk.calls == ["find_open_ticket"]
    assert len(setting.helpdesk.tickets) == 1


async def test_an_uncertain_claim_is_looked_up_first(setting: Setting) -> None:
    setting.clock.advance(WINDOW)
    keys = setting.keys()
    await setting.bridge.index.claim(keys, "doubter", LEASE, remember_seconds=WINDOW)
    await setting.bridge.index.mark_uncertain(keys, "doubter", LEASE, remember_seconds=WINDOW)
    filed = await setting.hand_off()
    assert filed.created
    assert setting.helpdesk.calls == ["find_open_ticket", "create_ticket"]


@pytest.mark.parametrize("gap", [0.0, WINDOW / 2], ids=["at once", "half a window later"])
async def test_an_index_that_lost_its_entries_asks_again_and_files_no_second_ticket(
    setting: Setting, gap: float
) -> None:
    setting.clock.advance(WINDOW)
    first = await setting.hand_off()
    setting.clock.advance(gap)
    restarted = Bridge(
        setting.clock, setting.helpdesk, setting.outbox, MemoryTicketIndex(setting.clock)
    )
    setting.helpdesk.calls.clear()
    again = await setting.hand_off(bridge=restarted)
    assert (again.created, again.ticket.id) == (False, first.ticket.id)
    assert setting.helpdesk.calls == ["find_open_ticket"]
    assert len(setting.helpdesk.tickets) == 1


async def test_a_new_problem_after_a_window_costs_one_call_each(setting: Setting) -> None:
    setting.clock.advance(WINDOW)
    for n in range(5):
        command = OaHandoffCommand(
            note=COMMAND.note, oa_key=f"conv-{n}", caller_number=f"+1415555267{n}"
        )
        assert (await setting.hand_off(command)).created
    assert setting.helpdesk.calls == ["create_ticket"] * 5
