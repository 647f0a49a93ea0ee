"""The container imports and opens only the configured backends (their network clients), and
closes them.

No network is needed: a client is created when its container opens, and connects on first use.
"""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from adapters.helpdesk.mock import MockHelpdesk
from adapters.helpdesk.rt.gateway import RtHelpdesk
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk
from entrypoints.bootstrap.container import (
    build_container,
    close_container,
    open_container,
)
from entrypoints.config.settings import load_settings
from tests.support.containers import opened

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


@pytest.mark.parametrize(
    ("env", "port"), [(ZENDESK, "helpdesk"), ({"STORE_BACKEND": "redis"}, "ticket_index")]
)
def test_an_unopened_container_refuses_to_hand_out_a_client(env: dict[str, str], port: str) -> None:
    """``build_container`` opens nothing, and says so instead of opening a client lazily."""
    container = build_container(load_settings({**AUTH, **env}, "/nonexistent/.env"))
    with pytest.raises(RuntimeError, match="await open_container"):
        getattr(container, port)()
    assert opened(container) == []


UNCONFIGURED = (
    "redis",
    "adapters.stores.redis",
    "adapters.helpdesk.zendesk",
    "adapters.helpdesk.rt",
)
PROBE = f"""
import sys, anyio
from entrypoints.bootstrap.container import close_container, open_container
from entrypoints.config.settings import load_settings

async def main():
    container = await open_container(load_settings({AUTH!r}, "/nonexistent/.env"))
    container.oa_handoff(), container.ticket_index(), container.outbox(), container.helpdesk()
    await close_container(container)

anyio.run(main)
loaded = (m for m in sys.modules if m == "redis" or m.startswith({UNCONFIGURED!r}))
print(sorted(loaded))
"""


def test_the_backends_nobody_configured_are_never_imported() -> None:
    """The mock helpdesk on in-memory stores (the embedded default, and what Claude Desktop
    spawns) imports neither redis-py nor the Zendesk and RT adapters: each costs start-up."""
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert probe.stdout.strip() == "[]"
