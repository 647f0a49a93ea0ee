"""Fixtures of the issue-10 filing tests: a slow helpdesk on the manual clock, an outbox, and
the scene most queueing tests start from (see filing_support.py)."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from tests.support.filing import Scene, SlowHelpdesk
from tests.support.stores.memory_outbox import MemoryOutbox


@pytest.fixture
def slow(clock: ManualClock) -> SlowHelpdesk:
    return SlowHelpdesk(clock)


@pytest.fixture
def outbox() -> MemoryOutbox:
    return MemoryOutbox()


@pytest.fixture
def scene(clock: ManualClock, slow: SlowHelpdesk, outbox: MemoryOutbox) -> Scene:
    return Scene(clock, slow, outbox)
