"""Fixtures of the stand-in's own tests: the stand-in (the fixture the e2e suite imports too),
the e2e suite's ``service_factory`` (bridges to point at it), Zendesk's OpenAPI description, and
an API client whose every exchange is checked against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.contract.helpdesk.zendesk_openapi import (
    ZendeskContract,
    load_zendesk_contract,
    spec_path,
)
from tests.e2e.conftest import service_factory
from tests.standin.client import StandinProcess
from tests.standin.fixtures import zendesk_standin
from tests.standin.traffic import TrafficCheck

__all__ = ["service_factory", "zendesk_standin"]


@pytest.fixture(scope="session")
def zendesk_contract() -> ZendeskContract:
    """Zendesk's description; the stand-in's tests are about conforming to it, so they skip
    (saying why) where it is not available."""
    contract = load_zendesk_contract(spec_path())
    if contract is None:
        pytest.skip(f"Zendesk's OpenAPI description is not at {spec_path()} (ZENDESK_OAS_PATH)")
    return contract


@pytest.fixture
def traffic(zendesk_contract: ZendeskContract) -> TrafficCheck:
    return TrafficCheck(zendesk_contract)


@pytest.fixture
async def api(
    zendesk_standin: StandinProcess, traffic: TrafficCheck
) -> AsyncIterator[httpx.AsyncClient]:
    """An authenticated client of the stand-in's Support API; at the end, every request and
    answer it saw must conform to Zendesk's description."""
    client = httpx.AsyncClient(
        base_url=zendesk_standin.url,
        auth=(f"{zendesk_standin.email}/token", zendesk_standin.api_token),
        headers={"Accept": "application/json"},
        timeout=10.0,
        trust_env=False,
    )
    async with traffic.install(client):
        yield client
    assert traffic.violations == [], "traffic that Zendesk's OpenAPI description rejects"
