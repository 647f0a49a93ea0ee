"""MCP over Streamable HTTP at /mcp of a real ``helpdesk-bridge serve``, with the SDK client."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from tests.support.e2e.mcp_clients import (
    TOKEN,
    exercise_every_tool,
    http_session,
    serving,
    structured,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]


@pytest.mark.parametrize("style", ["underscore", "dotted"])
async def test_every_tool_over_streamable_http(tmp_path: Path, style: str) -> None:
    env = {"MCP_TOOL_NAME_STYLE": style, "RATE_LIMIT_PER_SECOND": "1000"}
    with serving(tmp_path, tmp_path / "serve.log", **env) as base_url:
        async with http_session(base_url) as session:
            await exercise_every_tool(session, style)
        # Stateless transport: a second, independent session sees the same tickets.
        names = "helpdesk.find_or_create_ticket" if style == "dotted" else None
        async with http_session(base_url) as session:
            found = structured(
                await session.call_tool(
                    names or "helpdesk_find_or_create_ticket",
                    {"description": "Calling again about it", "oaKey": "oa-e2e-1"},
                )
            )
            assert found["created"] is False
        log = (tmp_path / "serve.log").read_text()
        assert "+12345678900" not in log


async def test_http_refusals(tmp_path: Path) -> None:
    env = {"RATE_LIMIT_PER_SECOND": "3", "MCP_ALLOWED_HOSTS": "bridge.example.com"}
    with serving(tmp_path, tmp_path / "serve.log", **env) as base_url:
        initialize = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "1"},
            },
        }
        headers = {"accept": "application/json, text/event-stream"}
        async with httpx2.AsyncClient(base_url=base_url, timeout=10) as client:
            anonymous = await client.post("/mcp", json=initialize, headers=headers)
            assert anonymous.status_code == 401
            assert anonymous.json()["code"] == "AUTH_REQUIRED"
            assert "ratelimit-limit" in anonymous.headers

            authorized = {**headers, "authorization": f"Bearer {TOKEN}"}
            # Behind a proxy: the public Host name is allowed, the raw address is not.
            proxied = await client.post(
                "/mcp", json=initialize, headers={**authorized, "host": "bridge.example.com"}
            )
            assert proxied.status_code == 200
            direct = await client.post("/mcp", json=initialize, headers=authorized)
            assert direct.status_code == 421

            statuses = [
                (
                    await client.post(
                        "/mcp",
                        json=initialize,
                        headers={**authorized, "host": "bridge.example.com"},
                    )
                ).status_code
                for _ in range(5)
            ]
            assert 429 in statuses
