"""Use-case tests run against the in-memory adapters (the fakes), never mocks of our ports."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.stores.memory import MemoryIdempotencyStore, MemoryTicketIndex
from application.filing.ticket_filing import TicketFiling
from application.use_cases.find_or_create_ticket import FindOrCreateTicket
from application.use_cases.oa_handoff import OaHandoff
from domain.dedup import DedupPolicy


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def helpdesk(clock: ManualClock) -> MockHelpdesk:
    return MockHelpdesk(clock)


@pytest.fixture
def index(clock: ManualClock) -> MemoryTicketIndex:
    return MemoryTicketIndex(clock)


@pytest.fixture
def idempotency_store(clock: ManualClock) -> MemoryIdempotencyStore:
    return MemoryIdempotencyStore(clock)


@pytest.fixture
def filing(helpdesk: MockHelpdesk, index: MemoryTicketIndex, clock: ManualClock) -> TicketFiling:
    return TicketFiling(helpdesk, index, clock, DedupPolicy(), wait_seconds=2.0)


@pytest.fixture
def find_or_create(filing: TicketFiling) -> FindOrCreateTicket:
    return FindOrCreateTicket(filing)


@pytest.fixture
def handoff(filing: TicketFiling) -> OaHandoff:
    return OaHandoff(filing)
