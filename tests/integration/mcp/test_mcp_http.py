"""``/mcp`` in the Litestar app: Bearer auth (401 envelope), the webhook's rate limit (RateLimit-*
headers, 429 envelope), allowed Host names, and JSON-RPC over Streamable HTTP (stateless, JSON
responses). The SDK client over a real socket is in tests/e2e/mcp/test_mcp_streamable_http.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.clock import ManualClock
from entrypoints.bootstrap.container import build_container
from entrypoints.config.settings import DEFAULT_MCP_ALLOWED_HOSTS, ConfigError, load_settings
from entrypoints.mcp.http import transport_security
from entrypoints.service.app import service_app

TOKEN = "test-token-0123456789"
BASE = "http://127.0.0.1:3000"
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
AUTH = {"authorization": f"Bearer {TOKEN}", **MCP_HEADERS}


def app_with(clock: ManualClock | None = None, **env: str) -> Any:
    """The app on ``env``; on ``clock`` instead of the system's if given (a clock standing still
    keeps a test's requests in one window of the rate limit however slow the machine is)."""
    settings = load_settings({"AUTH_TOKEN": TOKEN, **env}, env_file="/nonexistent/.env")
    container = build_container(settings)
    if clock is not None:
        container.clock.override(providers.Object(clock))
    return service_app(container)


def rpc(method: str, params: Mapping[str, Any] | None = None, ident: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "method": method, "params": dict(params or {})}


INITIALIZE = rpc(
    "initialize",
    {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
)


async def test_without_a_bearer_token_is_401_in_the_envelope() -> None:
    async with AsyncTestClient(app_with(), base_url=BASE) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        assert response.status_code == 401
        assert response.json() == {
            "status": "error",
            "code": "AUTH_REQUIRED",
            "message": "Authentication required (send Authorization: Bearer <AUTH_TOKEN>)",
        }
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["ratelimit-limit"] == "10"
        assert "x-request-id" in response.headers

        wrong = await client.post(
            "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401
        assert wrong.json()["code"] == "AUTH_REQUIRED"
        # The webhook's header does not open /mcp, and /mcp's does not open the webhook.
        webhook_token = await client.post(
            "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "x-auth-token": TOKEN}
        )
        assert webhook_token.status_code == 401
        other_scheme = await client.post(
            "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": f"Basic {TOKEN}"}
        )
        assert other_scheme.status_code == 401


async def test_the_bare_token_is_accepted_too() -> None:
    async with AsyncTestClient(app_with(), base_url=BASE) as client:
        response = await client.post(
            "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": TOKEN}
        )
        assert response.status_code == 200


async def test_with_the_token_it_speaks_mcp_and_counts_the_rate_limit() -> None:
    async with AsyncTestClient(app_with(), base_url=BASE) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers=AUTH)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["result"]["serverInfo"]["name"] == "helpdesk-bridge"
        assert response.headers["ratelimit-limit"] == "10"
        assert int(response.headers["ratelimit-remaining"]) < 10
        assert "ratelimit-reset" in response.headers

        listed = await client.post("/mcp", json=rpc("tools/list", ident=2), headers=AUTH)
        names = [tool["name"] for tool in listed.json()["result"]["tools"]]
        assert "helpdesk_find_or_create_ticket" in names

        call = rpc(
            "tools/call",
            {"name": "helpdesk_append_note", "arguments": {"ticketId": "TKT-1", "note": "short"}},
            ident=3,
        )
        result = (await client.post("/mcp", json=call, headers=AUTH)).json()["result"]
        assert result["isError"] is True
        assert json.loads(result["content"][0]["text"])["code"] == "VALIDATION_ERROR"


async def test_the_rate_limit_answers_429_in_the_envelope() -> None:
    app = app_with(ManualClock(), RATE_LIMIT_PER_SECOND="2")
    async with AsyncTestClient(app, base_url=BASE) as client:
        statuses = []
        for _ in range(4):
            response = await client.post("/mcp", json=INITIALIZE, headers=AUTH)
            statuses.append(response.status_code)
        assert statuses[:2] == [200, 200]
        assert statuses[-1] == 429
        body = response.json()
        assert body["code"] == "RATE_LIMIT_EXCEEDED"
        assert body["message"] == "Too many requests. Rate limit: 2 requests per second"
        assert body["retryAfter"] >= 1
        assert response.headers["retry-after"] == str(body["retryAfter"])
        assert response.headers["ratelimit-remaining"] == "0"


@pytest.mark.parametrize(
    ("allowed", "host", "status"),
    [
        (None, "127.0.0.1:3000", 200),
        (None, "localhost:8080", 200),
        (None, "localhost", 200),
        (None, "bridge.example.com", 421),
        ("bridge.example.com", "bridge.example.com", 200),
        ("bridge.example.com", "bridge.example.com:443", 200),
        ("bridge.example.com", "localhost:3000", 421),
        ("bridge.example.com:8443", "bridge.example.com:8443", 200),
        ("bridge.example.com:8443", "bridge.example.com:9000", 421),
        ("*", "anything.example.org", 200),
    ],
)
async def test_allowed_host_names(allowed: str | None, host: str, status: int) -> None:
    env = {"MCP_ALLOWED_HOSTS": allowed} if allowed is not None else {}
    async with AsyncTestClient(app_with(**env), base_url=BASE) as client:
        response = await client.post("/mcp", json=INITIALIZE, headers={**AUTH, "host": host})
        assert response.status_code == status


def test_allowed_hosts_setting() -> None:
    base = {"AUTH_TOKEN": TOKEN}
    default = load_settings(base, env_file="/nonexistent/.env")
    assert default.mcp_allowed_hosts == DEFAULT_MCP_ALLOWED_HOSTS
    listed = load_settings(
        {**base, "MCP_ALLOWED_HOSTS": " a.example.com , b.example.com:8443,[::1]:*"},
        env_file="/nonexistent/.env",
    )
    assert listed.mcp_allowed_hosts == ("a.example.com", "b.example.com:8443", "[::1]:*")
    security = transport_security(listed.mcp_allowed_hosts)
    assert "a.example.com:*" in security.allowed_hosts
    assert "b.example.com:8443:*" not in security.allowed_hosts
    assert "https://a.example.com" in security.allowed_origins
    with pytest.raises(ConfigError, match="MCP_ALLOWED_HOSTS"):
        load_settings({**base, "MCP_ALLOWED_HOSTS": "http://x.example.com/"}, env_file="/x")
    with pytest.raises(ConfigError, match="MCP_TOOL_NAME_STYLE"):
        load_settings({**base, "MCP_TOOL_NAME_STYLE": "camel"}, env_file="/x")


def test_stdio_needs_no_token_but_serve_does() -> None:
    assert load_settings({}, env_file="/x", require_auth=False).auth_token == ""
    with pytest.raises(ConfigError, match="AUTH_TOKEN"):
        load_settings({}, env_file="/x")


async def test_without_auth_token_mcp_refuses_everyone() -> None:
    settings = load_settings({"WEBHOOK_SECRET": "s" * 32}, env_file="/nonexistent/.env")
    async with AsyncTestClient(service_app(build_container(settings)), base_url=BASE) as client:
        response = await client.post(
            "/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "authorization": "Bearer "}
        )
        assert response.status_code == 401


async def test_each_app_gets_its_own_mcp_server() -> None:
    # The SDK's session manager runs once per instance: two apps must both start.
    for _ in range(2):
        async with AsyncTestClient(app_with(), base_url=BASE) as client:
            response = await client.post("/mcp", json=INITIALIZE, headers=AUTH)
            assert response.status_code == 200
