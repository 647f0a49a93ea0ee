"""The edge in process: one route table (every spelling of a path reaches the same route), one
gate (the webhook and /mcp refuse alike, with RateLimit-* on every answer and a 429 whose
Retry-After header and body agree), one error envelope on every path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.clock import ManualClock
from entrypoints.bootstrap.container import build_container
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app

TOKEN = "edge-token-0123456789"
BASE = "http://127.0.0.1:3000"
NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: No WiFi upstairs\nConfidence: 0.85"
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


def app_with(**env: str) -> Any:
    settings = load_settings({"AUTH_TOKEN": TOKEN, **env}, env_file="/nonexistent/.env")
    return service_app(build_container(settings))


def still_app_with(**env: str) -> Any:
    """An app whose clock stands still, so a rate budget does not refill between the requests
    of a test however slow the machine is."""
    settings = load_settings({"AUTH_TOKEN": TOKEN, **env}, env_file="/nonexistent/.env")
    container = build_container(settings)
    container.clock.override(providers.Object(ManualClock()))
    return service_app(container)


def envelope_keys(body: Mapping[str, Any]) -> set[str]:
    return set(body) - {"details", "retryAfter"}


@pytest.mark.parametrize("path", ["/ingest/oa-handoff", "/ingest/oa-handoff/"])
async def test_every_spelling_of_the_webhook_path_files_and_dedups_alike(path: str) -> None:
    async with AsyncTestClient(app_with(), base_url=BASE) as client:
        payload = {"note": NOTE, "oaKey": "edge-1"}
        headers = {"x-auth-token": TOKEN}
        first = await client.post(path, json=payload, headers=headers)
        again = await client.post("/ingest/oa-handoff", json=payload, headers=headers)
        assert first.status_code == again.status_code == 200
        assert (first.json()["created"], again.json()["created"]) == (True, False)
        assert first.json()["ticketId"] == again.json()["ticketId"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz/", 200),
        ("GET", "/readyz/", 200),
        ("GET", "/schema/openapi.json/", 200),
        ("GET", "/ingest/oa-handoff/", 405),
        ("GET", "/ingest/ticket-status/", 405),
        ("DELETE", "/healthz/", 405),
        ("GET", "/no/such/path/", 404),
    ],
)
async def test_trailing_slashes_reach_the_same_route(method: str, path: str, status: int) -> None:
    async with AsyncTestClient(app_with(), base_url=BASE) as client:
        with_slash = await client.request(method, path)
        without = await client.request(method, path.rstrip("/"))
        assert with_slash.status_code == without.status_code == status
        if status >= 400:
            assert envelope_keys(with_slash.json()) == {"status", "code", "message"}
            assert with_slash.json() == without.json()


async def test_405_names_the_allowed_method() -> None:
    async with AsyncTestClient(app_with(), base_url=BASE) as client:
        response = await client.get("/ingest/oa-handoff")
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.json()["code"] == "METHOD_NOT_ALLOWED"


async def _post(client: AsyncTestClient[Any], route: str, authorised: bool) -> Any:
    if route == "webhook":
        headers = {"x-auth-token": TOKEN} if authorised else {}
        return await client.post("/ingest/oa-handoff", json={"note": NOTE}, headers=headers)
    if route == "ticket_status":
        headers = {"x-auth-token": TOKEN} if authorised else {}
        body = {"ticketId": "TKT-1000"}
        return await client.post("/ingest/ticket-status", json=body, headers=headers)
    headers = {**MCP_HEADERS, **({"authorization": f"Bearer {TOKEN}"} if authorised else {})}
    return await client.post("/mcp", json=LIST_TOOLS, headers=headers)


@pytest.mark.parametrize("route", ["webhook", "mcp", "ticket_status"])
async def test_the_gate_refuses_alike_on_every_route(route: str) -> None:
    async with AsyncTestClient(still_app_with(RATE_LIMIT_PER_SECOND="3"), base_url=BASE) as client:
        unauthenticated = await _post(client, route, authorised=False)
        assert unauthenticated.status_code == 401
        assert unauthenticated.json()["code"] == "AUTH_REQUIRED"
        answers = [await _post(client, route, authorised=True) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        for answer in (unauthenticated, *answers):
            assert answer.headers["ratelimit-limit"] == "3"
            assert "ratelimit-remaining" in answer.headers
        limited = answers[-1].json()
        assert limited["code"] == "RATE_LIMIT_EXCEEDED"
        assert answers[-1].headers["retry-after"] == str(limited["retryAfter"])


async def test_one_token_has_one_budget_across_the_webhook_and_mcp() -> None:
    async with AsyncTestClient(still_app_with(RATE_LIMIT_PER_SECOND="2"), base_url=BASE) as client:
        assert (await _post(client, "webhook", authorised=True)).status_code == 200
        assert (await _post(client, "mcp", authorised=True)).status_code == 200
        assert (await _post(client, "webhook", authorised=True)).status_code == 429
        assert (await _post(client, "mcp", authorised=True)).status_code == 429


async def test_a_signed_body_over_the_limit_hears_too_large_not_a_bad_signature() -> None:
    app = app_with(WEBHOOK_SECRET="s3cret", MAX_BODY_BYTES="1024")
    async with AsyncTestClient(app, base_url=BASE) as client:
        response = await client.post(
            "/ingest/oa-handoff",
            content=b'{"note":"' + b"x" * 2000 + b'"}',
            headers={
                "content-type": "application/json",
                "x-signature": "sha256=" + "0" * 64,
                "x-timestamp": "1",
            },
        )
        assert response.status_code == 413
        assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
