"""Harnesses for the ``HelpdeskGateway`` contract suite: the gateway under test plus what a person
at that helpdesk could do or see (solve or close a ticket, read its internal notes and files)."""

from __future__ import annotations

import base64
from typing import Protocol

import httpx

from adapters.clock import SystemClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.helpdesk.resilience.calls import Resilience, RetryPolicy
from adapters.helpdesk.resilience.circuit import CircuitBreaker
from adapters.helpdesk.rt.gateway import RtHelpdesk, RtSettings, build_rt_client, ticketsql_string
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, ZendeskSettings, build_zendesk_client
from application.ports import HelpdeskBudget, HelpdeskGateway, RequesterCache
from domain.ticket import TicketState
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.zendesk_fake import FakeZendesk
from tests.support.rt_server import RtServer

ZENDESK_URL = "https://acme.zendesk.com"
ZENDESK_SETTINGS = ZendeskSettings(
    api_url=ZENDESK_URL, email="bridge@example.com", api_token="zd-token"
)
ZENDESK_FIELDS_SETTINGS = ZendeskSettings(
    api_url=ZENDESK_URL,
    email="bridge@example.com",
    api_token="zd-token",
    category_field_id=360001,
    reason_field_id=360002,
    confidence_field_id=360003,
)
FAST_POLICY = RetryPolicy(budget_seconds=3.0, attempt_timeout_seconds=2.0, base_delay_seconds=0.01)


def make_zendesk_gateway(
    client: httpx.AsyncClient,
    fake_time: FakeTime,
    breaker: CircuitBreaker,
    budget: HelpdeskBudget | None = None,
    requester_cache: RequesterCache | None = None,
    **policy: float,
) -> ZendeskHelpdesk:
    """The Zendesk gateway on a fake clock: pauses advance it instead of sleeping, and the
    backoff is its ceiling (rng 1.0), so tests can state the exact pauses. ``requester_cache``:
    shared with other gateways, as a fleet shares Redis (default: one of its own)."""
    retry = RetryPolicy(
        **{"budget_seconds": 8.0, "attempt_timeout_seconds": 5.0, "base_delay_seconds": 0.2}
        | policy  # type: ignore[arg-type]
    )
    resilience = Resilience(
        retry, breaker, budget=budget, clock=fake_time, sleep=fake_time.sleep, rng=lambda: 1.0
    )
    return ZendeskHelpdesk(
        client, ZENDESK_FIELDS_SETTINGS, resilience, requester_cache=requester_cache
    )


def sent(fake: FakeZendesk, method: str, path: str | None = None) -> list[httpx.Request]:
    """The requests the fake received with ``method``, in order: those whose path starts with
    ``path``, else the ticket and ``users/me`` calls (not the requester's or the uploads')."""
    return [
        r
        for r in fake.requests
        if r.method == method
        and (r.url.path.startswith(path) if path else not fake.is_people_call(r))
    ]


class Harness(Protocol):
    """A gateway under test and a view of the helpdesk behind it.

    ``idempotent_creates``: the helpdesk answers a create repeated with the same ``request_key``
    with the first ticket (Zendesk's Idempotency-Key, the mock); where it does not (RT), a retry
    is made safe by looking the ticket up by its dedup key first."""

    name: str
    gateway: HelpdeskGateway
    unknown_ticket_id: str
    idempotent_creates: bool

    def fresh_gateway(self) -> HelpdeskGateway:
        """A new adapter instance on the same helpdesk, as after a restart of the bridge."""
        ...

    def bad_credentials_gateway(self) -> HelpdeskGateway: ...

    async def notes(self, ticket_id: str) -> list[str]:
        """The internal notes added to a ticket after it was opened."""
        ...

    async def close(self, ticket_id: str) -> None:
        """Solve the ticket, as an agent would."""
        ...

    async def close_for_good(self, ticket_id: str) -> None:
        """Close it past solving (Zendesk ``closed``, RT ``rejected``): no longer the caller's."""
        ...

    async def attachments(self, ticket_id: str) -> list[tuple[str, str, bytes]]:
        """(file name, MIME type without parameters, bytes) of the files on its notes."""
        ...

    async def tickets_under(self, dedup_key: str) -> int:
        """How many tickets, open or not, carry ``dedup_key``."""
        ...


class MockHarness:
    name = "mock"
    unknown_ticket_id = "TKT-999999"
    idempotent_creates = True

    def __init__(self) -> None:
        self.gateway = MockHelpdesk(SystemClock())

    def fresh_gateway(self) -> HelpdeskGateway:
        return self.gateway  # the mock's helpdesk lives in the adapter object itself

    def bad_credentials_gateway(self) -> HelpdeskGateway:
        return MockHelpdesk(SystemClock(), healthy=False)

    async def notes(self, ticket_id: str) -> list[str]:
        return [text for text, _author in self.gateway.tickets[ticket_id].notes]

    async def close(self, ticket_id: str) -> None:
        self.gateway.close_ticket(ticket_id)

    async def close_for_good(self, ticket_id: str) -> None:
        self.gateway.close_ticket(ticket_id, TicketState.CLOSED)

    async def attachments(self, ticket_id: str) -> list[tuple[str, str, bytes]]:
        files = self.gateway.tickets[ticket_id].attachments
        return [(f.filename, _mime(f.content_type), f.data) for f in files]

    async def tickets_under(self, dedup_key: str) -> int:
        return sum(r.new.dedup_key == dedup_key for r in self.gateway.tickets.values())


class ZendeskHarness:
    name = "zendesk"
    unknown_ticket_id = "999999"
    idempotent_creates = True

    def __init__(self, fake: FakeZendesk) -> None:
        self.fake = fake
        self.settings = ZENDESK_SETTINGS
        self._clients: list[httpx.AsyncClient] = []
        self.gateway = self.fresh_gateway()

    def _gateway(self, settings: ZendeskSettings) -> ZendeskHelpdesk:
        client = build_zendesk_client(settings)
        self._clients.append(client)
        return ZendeskHelpdesk(client, settings, Resilience(FAST_POLICY, CircuitBreaker()))

    def fresh_gateway(self) -> HelpdeskGateway:
        return self._gateway(self.settings)

    def bad_credentials_gateway(self) -> HelpdeskGateway:
        wrong = ZendeskSettings(api_url=ZENDESK_URL, email="bridge@example.com", api_token="nope")
        return self._gateway(wrong)

    async def notes(self, ticket_id: str) -> list[str]:
        return self.fake.notes(ticket_id)

    async def close(self, ticket_id: str) -> None:
        self.fake.close(ticket_id)

    async def close_for_good(self, ticket_id: str) -> None:
        self.fake.set_status(ticket_id, "closed")

    async def attachments(self, ticket_id: str) -> list[tuple[str, str, bytes]]:
        return [(n, _mime(t), data) for n, t, data in self.fake.attachments(ticket_id)]

    async def tickets_under(self, dedup_key: str) -> int:
        return sum(t.fields.get("external_id") == dedup_key for t in self.fake.tickets.values())

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


class RtHarness:
    name = "rt"
    unknown_ticket_id = "987654321"
    idempotent_creates = False

    def __init__(self, server: RtServer) -> None:
        self.settings = RtSettings(
            api_url=server.url,
            token=server.token,
            external_ref_field=server.custom_field,
            caller_field=server.caller_field,
        )
        self._clients: list[httpx.AsyncClient] = []
        self._admin = build_rt_client(self.settings)  # what an RT user sees, outside the adapter
        self.gateway = self.fresh_gateway()

    def _gateway(self, settings: RtSettings) -> RtHelpdesk:
        client = build_rt_client(settings)
        self._clients.append(client)
        return RtHelpdesk(client, settings, Resilience(RetryPolicy(), CircuitBreaker()))

    def fresh_gateway(self) -> HelpdeskGateway:
        return self._gateway(self.settings)

    def bad_credentials_gateway(self) -> HelpdeskGateway:
        wrong = RtSettings(api_url=self.settings.api_url, token="1-1-0123456789abcdef")
        return self._gateway(wrong)

    async def _comment_parts(self, ticket_id: str) -> list[dict[str, str]]:
        """The MIME parts of comment transactions only: a correspondence would not count as an
        internal note."""
        history = await self._admin.get(f"/ticket/{ticket_id}/history", params={"fields": "Type"})
        history.raise_for_status()
        parts: list[dict[str, str]] = []
        for item in history.json()["items"]:
            if item["Type"] != "Comment":
                continue
            fields = {"fields": "Content,Filename,ContentType", "per_page": "100"}
            attachments = await self._admin.get(
                f"/transaction/{item['id']}/attachments", params=fields
            )
            attachments.raise_for_status()
            parts.extend(attachments.json()["items"])
        return parts

    async def notes(self, ticket_id: str) -> list[str]:
        """The text of each comment (its files are not its text)."""
        parts = await self._comment_parts(ticket_id)
        return [p.get("Content", "") for p in parts if p.get("Content") and not p.get("Filename")]

    async def attachments(self, ticket_id: str) -> list[tuple[str, str, bytes]]:
        files: list[tuple[str, str, bytes]] = []
        for part in await self._comment_parts(ticket_id):
            if not part.get("Filename"):
                continue
            shown = await self._admin.get(f"/attachment/{part['id']}")  # content as base64
            shown.raise_for_status()
            data = base64.b64decode(shown.json()["Content"])
            files.append((part["Filename"], _mime(part["ContentType"]), data))
        return files

    async def close(self, ticket_id: str) -> None:
        await self.set_status(ticket_id, "resolved")

    async def close_for_good(self, ticket_id: str) -> None:
        await self.set_status(ticket_id, "rejected")

    async def set_status(self, ticket_id: str, status: str) -> None:
        response = await self._admin.put(f"/ticket/{ticket_id}", json={"Status": status})
        response.raise_for_status()

    async def tickets_under(self, dedup_key: str) -> int:
        field = f"CF.{{{self.settings.external_ref_field}}}"
        query = f"{field} = {ticketsql_string(dedup_key)}"
        response = await self._admin.get("/tickets", params={"query": query, "per_page": "100"})
        response.raise_for_status()
        return len(response.json()["items"])

    async def aclose(self) -> None:
        for client in [*self._clients, self._admin]:
            await client.aclose()


def _mime(content_type: str) -> str:
    """``text/plain; charset=utf-8`` -> ``text/plain`` (RT keeps no parameters)."""
    return content_type.split(";", 1)[0].strip().lower()
