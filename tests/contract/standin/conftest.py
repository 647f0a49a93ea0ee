"""Fixtures of the stand-in's own tests: Zendesk's OpenAPI description and an API client whose
every exchange is checked against it (the stand-in and ``service_factory`` come from the plugins
tests/conftest.py registers)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.helpdesk.zendesk_openapi import (
    ZendeskContract,
    load_zendesk_contract,
    required_spec_path,
)
from tests.support.standin.client import StandinProcess
from tests.support.standin.traffic import TrafficCheck


@pytest.fixture(scope="session")
def zendesk_contract() -> ZendeskContract:
    """Zendesk's description; the stand-in's tests are about conforming to it, so they skip
    (saying why) where it is not available."""
    return load_zendesk_contract(required_spec_path())


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
