"""Fixtures for the ``HelpdeskGateway`` contract suite: one ``helpdesk`` fixture parametrized over
every backend - ``mock`` (in process), ``zendesk`` (a stateful fake on respx, its traffic checked
against Zendesk's OpenAPI description when available) and ``rt`` (a real Request Tracker 5 that
``scripts/rt-up.sh`` installs and starts; skipped with the reason when that cannot be done here,
failed instead under CI).

Each parameter yields a harness: the gateway under test, plus what a person at the helpdesk
could do or see (close a ticket, read its internal notes), so tests check the helpdesk's state
rather than calls (see helpdesk_harness.py). The helper modules beside this file are importable by
name because pytest puts the directory of a package-less conftest on ``sys.path``; tests import
from them, never from ``conftest`` (other test folders have one of their own).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from adapters.helpdesk.resilience.circuit import CircuitBreaker
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, build_zendesk_client
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.harness import (
    ZENDESK_FIELDS_SETTINGS,
    ZENDESK_SETTINGS,
    ZENDESK_URL,
    Harness,
    MockHarness,
    RtHarness,
    ZendeskHarness,
    make_zendesk_gateway,
)
from tests.support.helpdesk.zendesk_fake import FakeZendesk
from tests.support.helpdesk.zendesk_openapi import (
    ZendeskContract,
    load_zendesk_contract,
    spec_path,
)
from tests.support.paths import in_ci


@pytest.fixture(scope="session")
def zendesk_contract() -> ZendeskContract | None:
    """Zendesk's OpenAPI description, parsed once per session. Where it is not beside the
    checkout (a user's machine) the fake Zendesk runs unchecked; CI must check every request."""
    path = spec_path()
    if path is None:
        if in_ci():
            pytest.fail("Zendesk's OpenAPI description (shared/helpdesks) is required in CI")
        return None
    return load_zendesk_contract(path)


@pytest.fixture
def fake_zendesk(zendesk_contract: ZendeskContract | None) -> Iterator[FakeZendesk]:
    """The fake Zendesk, routed by respx for the duration of one test."""
    fake = FakeZendesk(ZENDESK_URL, ZENDESK_SETTINGS.authorization(), zendesk_contract)
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        fake.install(router)
        yield fake
    assert fake.violations == [], "traffic that Zendesk's OpenAPI description rejects"


@pytest.fixture(
    params=["mock", "zendesk", pytest.param("rt", marks=[pytest.mark.rt, pytest.mark.timeout(900)])]
)
async def helpdesk(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """Every helpdesk backend behind the one contract."""
    if request.param == "mock":
        yield MockHarness()
    elif request.param == "zendesk":
        zendesk = ZendeskHarness(request.getfixturevalue("fake_zendesk"))
        yield zendesk
        await zendesk.aclose()
    else:
        rt = RtHarness(request.getfixturevalue("rt_server"))
        yield rt
        await rt.aclose()


@pytest.fixture
def unique() -> str:
    """A per-test suffix: the real RT keeps its tickets between sessions."""
    return uuid.uuid4().hex[:12]


# --- the Zendesk-specific suites (test_zendesk_*.py) ---------------------------------------------


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def breaker(fake_time: FakeTime) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=3, reset_seconds=30.0, clock=fake_time)


@pytest.fixture
async def client(fake_zendesk: FakeZendesk) -> AsyncIterator[httpx.AsyncClient]:
    """The client the container would build, routed to the fake (never to the network)."""
    async with build_zendesk_client(ZENDESK_FIELDS_SETTINGS) as client:
        yield client


@pytest.fixture
def gateway(
    client: httpx.AsyncClient, fake_time: FakeTime, breaker: CircuitBreaker
) -> ZendeskHelpdesk:
    return make_zendesk_gateway(client, fake_time, breaker)
