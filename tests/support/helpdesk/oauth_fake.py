"""An in-process Zendesk for the OAuth tests (an ``httpx.MockTransport``): it issues
client-credentials tokens that expire on a fake clock, can revoke them, refuse a client, fail the
token endpoint, or hold its answer until told (to pile requests up behind one renewal)."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field

import httpx

from adapters.helpdesk.zendesk.oauth import ClientCredentials, ClientSecret
from tests.support.fake_time import FakeTime

ZENDESK_URL = "https://acme.zendesk.com"
CLIENT = ClientSecret("helpdesk_bridge", "s3cret-client-value", "read write")


@dataclass
class FakeZendesk:
    time: FakeTime
    expires_in: float | None = 1800.0
    client: ClientSecret = CLIENT
    token_failure: httpx.Response | Exception | None = None
    failing_tokens: int | None = None
    """How many token requests ``token_failure`` answers (None: every one)."""
    token_body: dict[str, object] | None = None
    """Answer token requests with this body (201) instead of a real token."""
    accept_tokens: bool = True
    gate: asyncio.Event | None = None
    """When set, token requests wait for it before answering."""
    issued: dict[str, float] = field(default_factory=dict)  # token -> expiry (fake clock)
    grants: list[dict[str, object]] = field(default_factory=list)
    api_calls: list[httpx.Request] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def token_requests(self) -> int:
        return len(self.grants)

    def revoke_all(self) -> None:
        self.issued.clear()

    def connect(self, client: ClientSecret = CLIENT) -> httpx.AsyncClient:
        """A client of this Zendesk authenticated by ``ClientCredentials`` on the fake clock."""
        http = httpx.AsyncClient(base_url=ZENDESK_URL, transport=httpx.MockTransport(self.handle))
        return ClientCredentials(client, clock=self.time).install(http)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/tokens":
            return await self._token(request)
        # a copy: a request sent again after a 401 is the same object, with a new header
        self.api_calls.append(
            httpx.Request(
                request.method, request.url, headers=request.headers, content=request.content
            )
        )
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expiry = self.issued.get(token)
        if not self.accept_tokens or scheme != "Bearer" or expiry is None or self.time() >= expiry:
            return httpx.Response(401, json={"error": "Couldn't authenticate you"})
        if request.url.path == "/api/v2/tickets" and request.method == "POST":
            ticket = {"id": 1000 + len(self.api_calls), "created_at": "2026-12-01T09:00:00Z"}
            return httpx.Response(201, json={"ticket": ticket})
        if request.url.path == "/api/v2/tickets":
            return httpx.Response(200, json={"tickets": [], "count": 0})
        return httpx.Response(200, json={"user": {"id": 1}, "echo": request.content.decode()})

    async def _token(self, request: httpx.Request) -> httpx.Response:
        grant = json.loads(request.content)
        self.grants.append(grant)
        if self.gate is not None:
            await self.gate.wait()
        failure = self.token_failure
        if failure is not None and self.failing_tokens != 0:
            if self.failing_tokens is not None:
                self.failing_tokens -= 1
            if isinstance(failure, Exception):
                raise failure
            return failure
        if self.token_body is not None:
            return httpx.Response(201, json=self.token_body)
        if grant != {
            "grant_type": "client_credentials",
            "client_id": self.client.client_id,
            "client_secret": self.client.secret,
            "scope": self.client.scopes,
        }:
            return httpx.Response(
                401,
                json={
                    "error": "invalid_client",
                    "error_description": "Client authentication failed for "
                    + str(grant.get("client_secret")),  # a careless server echoes it: never logged
                },
            )
        token = f"issued-token-{next(self._numbers)}"
        lifetime = float("inf") if self.expires_in is None else self.expires_in
        self.issued[token] = self.time() + lifetime
        body: dict[str, object] = {"access_token": token, "token_type": "bearer", "scope": "read"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return httpx.Response(201, json=body)
