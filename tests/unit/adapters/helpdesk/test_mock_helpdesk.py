"""The mock helpdesk's behaviour that the in-process tests of the use cases lean on, beyond the
gateway contract: a reused request key resolved as Zendesk resolves it, and the deadline
cutting a slow call short the way a real helpdesk's lost answer would."""

from __future__ import annotations

import msgspec
import pytest

from adapters.clock import ManualClock, SystemClock
from adapters.helpdesk.mock import MockHelpdesk
from application.errors import HelpdeskBadResponse, HelpdeskUnavailable
from application.timing.deadline import Deadline
from tests.support.helpdesk_samples import hand_off

FILED = hand_off("oa:conv-1", "create-key")


async def test_a_request_key_reused_with_another_body_resolves_to_the_problems_ticket() -> None:
    helpdesk = MockHelpdesk(ManualClock())
    first = await helpdesk.create_ticket(FILED)
    changed = msgspec.structs.replace(FILED, body="Caller rang back.")
    assert (await helpdesk.create_ticket(changed)).id == first.id
    with pytest.raises(HelpdeskBadResponse):
        await helpdesk.create_ticket(hand_off("oa:another-problem", "create-key"))
    assert len(helpdesk.tickets) == 1


async def test_a_create_cut_short_by_the_deadline_lands_and_says_so() -> None:
    helpdesk = MockHelpdesk(SystemClock(), latency_seconds=5.0)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await helpdesk.create_ticket(FILED, Deadline(SystemClock(), 0.3))
    assert caught.value.uncertain is True
    assert [r.new for r in helpdesk.tickets.values()] == [FILED]


async def test_a_look_up_cut_short_is_not_uncertain() -> None:
    helpdesk = MockHelpdesk(SystemClock(), latency_seconds=5.0)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await helpdesk.find_open_ticket(["oa:conv-1"], Deadline(SystemClock(), 0.3))
    assert caught.value.uncertain is False


async def test_evicted_tickets_take_their_request_keys_with_them() -> None:
    helpdesk = MockHelpdesk(ManualClock(), max_tickets=1)
    first = await helpdesk.create_ticket(FILED)
    await helpdesk.create_ticket(hand_off("oa:conv-2", "other-key"))
    assert (await helpdesk.create_ticket(FILED)).id != first.id
