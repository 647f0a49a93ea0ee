"""The raw ASGI hand-off endpoint answers every failure in the envelope, in process."""

from __future__ import annotations

from collections.abc import Sequence

from dependency_injector import providers
from litestar.testing import AsyncTestClient

from domain.ticket import NewTicket, TicketRef
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings

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
    async with AsyncTestClient(create_app(wired)) as client:
        answer = await client.post("/ingest/oa-handoff", json={"note": NOTE}, headers=AUTH)
    assert answer.status_code == 500
    assert answer.json() == {
        "status": "error",
        "code": "INTERNAL_ERROR",
        "message": "Internal server error",
    }
    assert "x-request-id" in answer.headers


async def test_other_methods_on_the_handoff_path_are_405() -> None:
    async with AsyncTestClient(create_app(container())) as client:
        answer = await client.get("/ingest/oa-handoff")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["code"] == "METHOD_NOT_ALLOWED"
