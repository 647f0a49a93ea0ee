"""The raw ASGI hand-off endpoint answers every failure in the envelope, in process."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Sequence

from dependency_injector import providers
from litestar.testing import AsyncTestClient

from domain.ticket import NewTicket, TicketRef
from entrypoints.bootstrap.container import build_container
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app

NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: No WiFi\nConfidence: 0.85"
AUTH = {"x-auth-token": "t", "content-type": "application/json"}


class BrokenHelpdesk:
    """A helpdesk adapter with a bug: it raises something no port allows."""

    async def create_ticket(self, ticket: NewTicket) -> TicketRef:
        raise RuntimeError("bug with a phone +12345678900 in its message")

    async def append_note(self, ticket_id: str, text: str, author: str | None) -> None:
        raise RuntimeError("bug")

    async def find_open_ticket(self, dedup_keys: Sequence[str]) -> TicketRef | None:
        return None

    async def check_health(self) -> bool:
        return True


def container():  # type: ignore[no-untyped-def]
    return build_container(load_settings({"AUTH_TOKEN": "t"}, "/nonexistent/.env"))


async def test_a_bug_is_a_500_envelope_without_details() -> None:
    wired = container()
    wired.helpdesk.override(providers.Object(BrokenHelpdesk()))
    async with AsyncTestClient(service_app(wired)) as client:
        answer = await client.post("/ingest/oa-handoff", json={"note": NOTE}, headers=AUTH)
    assert answer.status_code == 500
    assert answer.json() == {
        "status": "error",
        "code": "INTERNAL_ERROR",
        "message": "Internal server error",
    }
    assert "x-request-id" in answer.headers


async def test_other_methods_on_the_handoff_path_are_405() -> None:
    async with AsyncTestClient(service_app(container())) as client:
        answer = await client.get("/ingest/oa-handoff")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["code"] == "METHOD_NOT_ALLOWED"


def signed(body: bytes, timestamp_ms: int) -> dict[str, str]:
    digest = hmac.new(b"whsec", str(timestamp_ms).encode() + body, hashlib.sha256).hexdigest()
    return {
        "x-signature": f"sha256={digest}",
        "x-timestamp": str(timestamp_ms),
        "content-type": "application/json",
        "idempotency-key": "retry-1",
    }


async def test_a_re_signed_retry_with_the_same_idempotency_key_gets_the_stored_answer() -> None:
    wired = build_container(load_settings({"WEBHOOK_SECRET": "whsec"}, "/nonexistent/.env"))
    body = json.dumps({"note": NOTE, "oaKey": "retry-me"}).encode()
    now_ms = int(time.time() * 1000)
    async with AsyncTestClient(service_app(wired)) as client:
        first = await client.post("/ingest/oa-handoff", content=body, headers=signed(body, now_ms))
        replay = await client.post("/ingest/oa-handoff", content=body, headers=signed(body, now_ms))
        retry = await client.post(
            "/ingest/oa-handoff", content=body, headers=signed(body, now_ms + 1)
        )
    assert first.status_code == 200
    assert (replay.status_code, replay.json()["code"]) == (403, "REPLAY_DETECTED")
    assert retry.status_code == 200
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
