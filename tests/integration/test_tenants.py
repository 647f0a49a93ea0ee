"""Tenants in process: the presented token (or ``/tenants/<name>``) chooses the tenant, and
tenants are kept apart - their helpdesks, dedup indexes, idempotency records, rate budgets,
outboxes and MCP tools - while /readyz and /metrics answer once for all of them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import redis.asyncio

from adapters.helpdesk.mock import MockHelpdesk
from tests.support.inprocess import InProcessService
from tests.support.inprocess_tenants import InProcessTenants, in_one_second, sha256_line
from tests.support.log_capture import emitted_lines, events
from tests.support.post_call_samples import (
    POST_CALL,
    SECRET,
    encoded,
    example,
    signature_headers,
    transcription,
)

A, B = "tenant-a-token-7f3c1e", "tenant-b-token-2d9a4b"
B_SECRET = "tenant-b-hmac-secret-51"
NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: No WiFi at all\nConfidence: 0.85"
HANDOFF = "/ingest/oa-handoff"
MCP = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def two_tenants(a: str = "", b: str = "") -> str:
    return f"""
[tenants.a]
auth_tokens = ["{sha256_line(A)}"]
{a}
[tenants.b]
auth_tokens = ["{sha256_line(B)}"]
webhook_secret = "${{B_SECRET}}"
{b}
"""


def service(a: str = "", b: str = "", **env: str) -> InProcessTenants:
    return InProcessTenants(two_tenants(a, b), {"B_SECRET": B_SECRET, **env})


def body(oa_key: str | None = None) -> dict[str, Any]:
    return {"note": NOTE, "oaKey": oa_key or f"oa-{uuid.uuid4().hex[:10]}"}


async def handoff(client: httpx.AsyncClient, token: str, payload: Any, **headers: str) -> Any:
    return await client.post(HANDOFF, json=payload, headers={"x-auth-token": token, **headers})


def mock_of(tenants: InProcessTenants, name: str) -> MockHelpdesk:
    container = tenants.tenant(name).container
    assert container is not None
    helpdesk = container.helpdesk()
    assert isinstance(helpdesk, MockHelpdesk)
    return helpdesk


def signed(payload: Any, secret: str) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(payload).encode()
    stamp = str(int(time.time() * 1000))
    signature = hmac.new(secret.encode(), stamp.encode() + raw, hashlib.sha256).hexdigest()
    headers = {"x-signature": f"sha256={signature}", "x-timestamp": stamp}
    return raw, {**headers, "content-type": "application/json"}


async def test_the_same_hand_off_with_each_tenants_token_files_one_ticket_in_each() -> None:
    async with service() as tenants, tenants.client() as client:
        payload = body()
        first_a = await handoff(client, A, payload)
        first_b = await handoff(client, B, payload)
        again_a = await handoff(client, A, payload)
    assert first_a.json()["created"] is True
    assert first_b.json()["created"] is True  # no dedup across tenants
    assert again_a.json()["created"] is False  # dedup within one
    assert len(mock_of(tenants, "a").tickets) == 1 == len(mock_of(tenants, "b").tickets)


async def test_an_idempotency_key_is_a_tenants_own() -> None:
    async with service() as tenants, tenants.client() as client:
        key = {"idempotency-key": str(uuid.uuid4())}
        first = await handoff(client, A, body(), **key)
        other = await handoff(client, B, body(), **key)  # another payload, another tenant
        replay = await handoff(client, A, body(), **key)
    assert first.status_code == 200
    assert other.status_code == 200
    assert "idempotent-replayed" not in other.headers
    assert replay.status_code == 409  # A's key with another payload: A's own record


async def test_an_unknown_token_is_answered_as_a_bridge_without_tenants_answers_it() -> None:
    plain = InProcessService()
    async with service() as tenants, tenants.client() as client, plain.client() as reference:
        for path, headers in [
            (HANDOFF, {"x-auth-token": "nobody"}),
            (HANDOFF, {}),
            ("/mcp", {"authorization": "Bearer nobody", **MCP}),
        ]:
            ours = await client.post(path, json=body(), headers=headers)
            theirs = await reference.post(path, json=body(), headers=headers)
            assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
            assert ours.headers.get("www-authenticate") == theirs.headers.get("www-authenticate")
        elsewhere = await client.post(
            f"/tenants/a{HANDOFF}", json=body(), headers={"x-auth-token": B}
        )
        unknown = await client.post(
            f"/tenants/zz{HANDOFF}", json=body(), headers={"x-auth-token": A}
        )
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (401, "AUTH_REQUIRED")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "NOT_FOUND")


async def test_a_signed_hand_off_names_its_tenant_in_the_path() -> None:
    async with service() as tenants, tenants.client() as client:
        raw, headers = signed(body(), B_SECRET)
        at_b = await client.post(f"/tenants/b{HANDOFF}", content=raw, headers=headers)
        raw, headers = signed(body(), B_SECRET)
        bare = await client.post(HANDOFF, content=raw, headers=headers)
        raw, headers = signed(body(), B_SECRET)
        at_a = await client.post(f"/tenants/a{HANDOFF}", content=raw, headers=headers)
    assert at_b.status_code == 200
    assert (bare.status_code, bare.json()["code"]) == (401, "AUTH_REQUIRED")
    assert "/tenants/<name>/" in bare.json()["message"]
    assert (at_a.status_code, at_a.json()["code"]) == (403, "AUTH_FAILED")  # not a's secret
    assert len(mock_of(tenants, "b").tickets) == 1
    assert len(mock_of(tenants, "a").tickets) == 0


async def test_a_tenants_mcp_tools_cannot_touch_another_tenants_ticket() -> None:
    async with service() as tenants, tenants.client() as client:
        await handoff(client, B, body())
        b_ticket = (await handoff(client, B, body())).json()["ticketId"]  # TKT-1001 in b
        await handoff(client, A, body())  # a has TKT-1000 only
        call = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {
                "name": "helpdesk_append_note",
                "arguments": {"ticketId": b_ticket, "note": "Caller called back: still down"},
            },
        }
        answer = await client.post(
            "/mcp", json=call, headers={"authorization": f"Bearer {A}", **MCP}
        )
    result = answer.json()["result"]
    assert result["isError"] is True
    assert json.loads(result["content"][0]["text"])["code"] == "TICKET_NOT_FOUND"
    assert mock_of(tenants, "b").tickets[b_ticket].notes == []


async def test_each_tenant_has_its_own_rate_budget() -> None:
    async with service(a="rate_limit_per_second = 2") as tenants, tenants.client() as client:

        async def burst() -> tuple[list[int], httpx.Response]:
            a_statuses = [(await handoff(client, A, body())).status_code for _ in range(3)]
            return a_statuses, await handoff(client, B, body())

        a_statuses, b_answer = await in_one_second(burst)
    assert a_statuses == [200, 200, 429]
    assert b_answer.status_code == 200
    assert b_answer.headers["ratelimit-limit"] == "10"


async def test_log_lines_name_the_tenant_and_never_a_token() -> None:
    with emitted_lines() as buffer:
        async with service() as tenants, tenants.client() as client:
            await handoff(client, A, body())
            await handoff(client, B, body())
            await handoff(client, "nobody-token-x", body())
    lines = events(buffer, "http.request")
    assert [(line.get("tenant"), line["status"]) for line in lines] == [
        ("a", 200),
        ("b", 200),
        (None, 401),
    ]
    assert {line["tenant"] for line in events(buffer, "tenant.started")} == {"a", "b"}
    text = buffer.getvalue()
    for secret in (A, B, B_SECRET, "nobody-token-x", sha256_line(A)[7:]):
        assert secret not in text


async def test_readyz_reports_every_tenant_and_fails_only_when_none_can_take_a_hand_off() -> None:
    down = "mock_helpdesk_healthy = false\nhelpdesk_down_policy = 'fail'"
    async with service(a=down) as tenants, tenants.client() as client:
        one_down = await client.get("/readyz")
    async with service(a=down, b=down) as tenants, tenants.client() as client:
        all_down = await client.get("/readyz")
    assert (one_down.status_code, one_down.json()["status"]) == (200, "degraded")
    assert one_down.json()["checks"] == {
        "a.helpdesk": "unhealthy",
        "b.helpdesk": "healthy",
        "b.outbox": "healthy",
    }
    assert (all_down.status_code, all_down.json()["status"]) == (503, "unavailable")


async def test_metrics_are_one_exposition_with_a_tenant_label() -> None:
    async with service() as tenants, tenants.client() as client:
        await handoff(client, A, body())
        await handoff(client, B, body())
        await handoff(client, B, body())
        text = (await client.get("/metrics")).text
    assert 'helpdesk_bridge_handoffs_total{tenant="a",outcome="created"} 1' in text
    assert 'helpdesk_bridge_handoffs_total{tenant="b",outcome="created"} 2' in text
    assert text.count("# TYPE helpdesk_bridge_handoffs_total counter") == 1
    assert 'helpdesk_bridge_outbox_items{tenant="b",state="queued"} 0' in text


async def test_a_reload_retires_and_admits_tokens_adds_and_removes_tenants() -> None:
    new_a, c_token = "tenant-a-rotated-9e2f", "tenant-c-token-3b7a"
    async with service() as tenants, tenants.client() as client:
        assert (await handoff(client, A, body())).status_code == 200
        assert tenants.rewrite(two_tenants() + '[tenants.c]\nauth_tokens = ["plain"]\n') is False
        assert (await handoff(client, A, body())).status_code == 200  # the bad file changed nothing

        rotated = two_tenants().replace(sha256_line(A), sha256_line(new_a))
        rotated = (
            rotated.split("[tenants.b]")[0]
            + f'[tenants.c]\nauth_tokens = ["{sha256_line(c_token)}"]\n'
        )
        assert tenants.rewrite(rotated) is True
        assert (await handoff(client, A, body())).status_code == 401
        assert (await handoff(client, new_a, body())).status_code == 200
        assert (await handoff(client, B, body())).status_code == 401  # b retired
        for _ in range(200):  # c starts in the background, then serves
            if "c" in tenants.service.registry.selection.value.by_name:
                break
            await asyncio.sleep(0.01)
        assert (await handoff(client, c_token, body())).status_code == 200


async def test_tenants_on_one_redis_keep_their_keys_apart(redis_url: str) -> None:
    prefix = f"hdb-it:{uuid.uuid4().hex[:8]}:"
    env = {"STORE_BACKEND": "redis", "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix}
    client_ = redis.asyncio.Redis.from_url(redis_url)
    try:
        async with service(**env) as tenants, tenants.client() as client:
            payload = body("shared-oa-key")
            assert (await handoff(client, A, payload)).json()["created"] is True
            assert (await handoff(client, B, payload)).json()["created"] is True
        keys = {key.decode() async for key in client_.scan_iter(match=f"{prefix}*")}
        assert f"{prefix}t:a:dedup:oa:shared-oa-key" in keys
        assert f"{prefix}t:b:dedup:oa:shared-oa-key" in keys
        assert all(key.startswith((f"{prefix}t:a:", f"{prefix}t:b:")) for key in keys)
    finally:
        keys = [key async for key in client_.scan_iter(match=f"{prefix}*")]
        if keys:
            await client_.delete(*keys)
        await client_.aclose()


async def test_a_post_call_webhook_reaches_its_tenant_by_its_path() -> None:
    b_table = 'elevenlabs_webhook_secret = "${B_POST_CALL}"'
    async with service(b=b_table, B_POST_CALL=SECRET) as tenants, tenants.client() as client:
        a_ticket = (await handoff(client, A, body(example().conversation))).json()["ticketId"]
        b_ticket = (await handoff(client, B, body(example().conversation))).json()["ticketId"]
        event = encoded(transcription())
        answers = {
            where: await client.post(where, content=event, headers=signature_headers(event))
            for where in (POST_CALL, f"/tenants/a{POST_CALL}", f"/tenants/b{POST_CALL}")
        }
    assert answers[POST_CALL].status_code == 401  # a signature names no tenant
    assert answers[f"/tenants/a{POST_CALL}"].status_code == 404  # a has no post-call secret
    assert answers[f"/tenants/b{POST_CALL}"].json()["outcome"] == "appended"
    assert len(mock_of(tenants, "b").tickets[b_ticket].notes) == 1
    assert mock_of(tenants, "a").tickets[a_ticket].notes == []
