"""The container opens only the configured backends' network clients, and closes them.

No network is needed: a client is created when its container opens, and connects on first use.
"""

from __future__ import annotations

import httpx
import pytest
from dependency_injector import providers

from adapters.helpdesk.mock import MockHelpdesk
from adapters.helpdesk.rt.gateway import RtHelpdesk
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk
from entrypoints.bootstrap.container import (
    Container,
    build_container,
    close_container,
    open_container,
)
from entrypoints.config.settings import load_settings

AUTH = {"AUTH_TOKEN": "t"}
ZENDESK = {
    "HELPDESK_BACKEND": "zendesk",
    "HELPDESK_API_URL": "https://acme.zendesk.com",
    "HELPDESK_OAUTH_TOKEN": "oauth-token",
}
RT = {
    "HELPDESK_BACKEND": "rt",
    "HELPDESK_API_URL": "https://rt.example.com",
    "HELPDESK_API_KEY": "1-2-x",
}


def opened(container: Container) -> list[object]:
    return [r() for r in container.traverse(types=[providers.Resource]) if r.initialized]


@pytest.mark.parametrize(
    ("env", "gateway", "base_url"),
    [
        (ZENDESK, ZendeskHelpdesk, "https://acme.zendesk.com"),
        (RT, RtHelpdesk, "https://rt.example.com/REST/2.0"),
    ],
)
async def test_a_real_helpdesk_opens_one_http_client_and_closes_it(
    env: dict[str, str], gateway: type, base_url: str
) -> None:
    container = await open_container(load_settings({**AUTH, **env}, "/nonexistent/.env"))
    (client,) = opened(container)  # the helpdesk's; in-memory stores open none
    assert isinstance(client, httpx.AsyncClient)
    assert str(client.base_url).rstrip("/") == base_url
    assert isinstance(container.helpdesk(), gateway)
    assert container.health_probes() == {
        "helpdesk": container.helpdesk(),
        "outbox": container.outbox(),  # where hand-offs are queued (HELPDESK_DOWN_POLICY=queue)
    }
    await close_container(container)
    assert client.is_closed
    assert opened(container) == []


async def test_the_mock_helpdesk_with_memory_stores_opens_nothing() -> None:
    container = await open_container(load_settings(AUTH, "/nonexistent/.env"))
    assert isinstance(container.helpdesk(), MockHelpdesk)
    assert opened(container) == []
    await close_container(container)


@pytest.mark.parametrize("env", [ZENDESK, {"STORE_BACKEND": "redis"}])
def test_an_unopened_container_refuses_to_open_every_family_at_once(env: dict[str, str]) -> None:
    """``init_resources()`` would open the clients of backends nobody configured."""
    container = build_container(load_settings({**AUTH, **env}, "/nonexistent/.env"))
    with pytest.raises(RuntimeError, match="await open_container"):
        container.init_resources()
    assert opened(container) == []
