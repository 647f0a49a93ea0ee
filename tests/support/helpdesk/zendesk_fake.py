"""A small stateful Zendesk, built from respx side effects: enough of the Support API for the
bridge (create with Idempotency-Key, internal comments with uploads, list by external_id, show,
users/me, and the stand-in's people and uploads routes - tests/support/standin/people.py, on the
same ``Directory``), plus injectable faults (an answer instead of processing, an error before or
after processing, a slow answer) for the resilience tests.

Every request and answer is checked against Zendesk's OpenAPI description when it is available
(``contract``); problems are collected in ``violations`` and asserted empty by the fixtures.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

from tests.support.helpdesk.zendesk_openapi import ZendeskContract
from tests.support.standin.asgi import Request
from tests.support.standin.directory import AGENT_ID, Directory, Refused
from tests.support.standin.people import people_route, serve_people

FIRST_ID = 101


@dataclass
class Fault:
    """One injected misbehaviour, used by the next matching request.

    ``respond``: answer this instead of processing. ``error``: raise it - before processing, or
    after (``after=True``: the request landed, its answer is lost). ``delay``: process, then wait
    this long before answering (a slow helpdesk; the request lands even if the client gives up).
    ``path``: only requests whose path starts with it; without one, the ticket and ``users/me``
    calls only - never the people and uploads routes (``people.py``), so a fault meant for a
    create is not spent on looking up its requester.
    """

    respond: httpx.Response | None = None
    error: Exception | None = None
    after: bool = False
    delay: float = 0.0
    method: str | None = None
    path: str | None = None

    def matches(self, request: httpx.Request) -> bool:
        if self.method not in (None, request.method):
            return False
        if self.path is not None:
            return request.url.path.startswith(self.path)
        return not FakeZendesk.is_people_call(request)


@dataclass
class FakeTicket:
    id: int
    fields: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)
    status: str = "new"
    created_at: str = ""
    updated_at: str = ""
    requester_id: int = AGENT_ID

    def as_zendesk(self, base_url: str) -> dict[str, Any]:
        return self.as_json(base_url)

    def as_json(self, base_url: str) -> dict[str, Any]:
        first = self.comments[0]["body"] if self.comments else ""
        return {
            "id": self.id,
            "url": f"{base_url}/api/v2/tickets/{self.id}.json",
            "subject": self.fields.get("subject"),
            "description": first,
            "status": self.status,
            "external_id": self.fields.get("external_id"),
            "tags": self.fields.get("tags", []),
            "custom_fields": self.fields.get("custom_fields", []),
            "requester_id": self.requester_id,
            "submitter_id": AGENT_ID,
            "created_at": self.created_at,
            "updated_at": self.updated_at or self.created_at,
        }


class FakeZendesk:
    """The helpdesk's state and its routes on a respx router for ``base_url``."""

    def __init__(
        self,
        base_url: str,
        authorization: str,
        contract: ZendeskContract | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._authorization = authorization
        self._contract = contract
        self._clock = clock
        self.tickets: dict[int, FakeTicket] = {}
        self.faults: list[Fault] = []
        self.violations: list[str] = []
        self.requests: list[httpx.Request] = []
        self._next_id = FIRST_ID
        self._idempotency: dict[str, tuple[str, int]] = {}
        self.directory = Directory(time.monotonic, self._timestamp)

    def install(self, router: respx.MockRouter) -> None:
        router.route(host=httpx.URL(self.base_url).host).mock(side_effect=self._serve)

    # --- what a test can look at or change, as a Zendesk agent would --------------------------
    def close(self, ticket_id: str) -> None:
        self.tickets[int(ticket_id)].status = "solved"

    def notes(self, ticket_id: str) -> list[str]:
        """Internal comments added after the first one."""
        return [c["body"] for c in self.tickets[int(ticket_id)].comments[1:] if not c["public"]]

    def attachments(self, ticket_id: str) -> list[tuple[str, str, bytes]]:
        """(file name, content type, bytes) of the files on internal comments after the first."""
        return [
            (f.file_name, f.content_type, f.data)
            for c in self.tickets[int(ticket_id)].comments[1:]
            if not c["public"]
            for f in c.get("files", [])
        ]

    @staticmethod
    def is_people_call(request: httpx.Request) -> bool:
        """A call of the people and uploads routes (tests/support/standin/people.py)."""
        return people_route(request.method, request.url.path.strip("/").split("/")[2:]) is not None

    def set_status(self, ticket_id: str, status: str) -> None:
        ticket = self.tickets[int(ticket_id)]
        ticket.status = status
        ticket.updated_at = self._timestamp()

    def _timestamp(self) -> str:
        return datetime.fromtimestamp(self._clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def inject(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    # --- the API ----------------------------------------------------------------------------
    async def _serve(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fault = self._take_fault(request)
        if fault and fault.respond is not None:
            return self._checked(request, fault.respond)
        if fault and fault.error is not None and not fault.after:
            raise fault.error
        response = self._checked(request, self._handle(request))
        if fault and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault and fault.error is not None:
            raise fault.error
        return response

    def _take_fault(self, request: httpx.Request) -> Fault | None:
        for i, fault in enumerate(self.faults):
            if fault.matches(request):
                return self.faults.pop(i)
        return None

    def _checked(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if self._contract is not None:
            self.violations.extend(self._contract.check(request, response))
        return response

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != self._authorization:
            return _json(401, {"error": "Couldn't authenticate you"})
        path = request.url.path
        people = people_route(request.method, path.strip("/").split("/")[2:])
        if path.startswith("/api/v2/") and people is not None:
            return self._people(request, *people)
        if request.method == "GET" and path.startswith("/api/v2/tickets/"):
            return self._show(path.rsplit("/", 1)[1])
        if request.method == "GET" and path == "/api/v2/users/me":
            user = {"id": 1, "name": "Bridge", "email": "bridge@example.com", "role": "agent"}
            return _json(200, {"user": user})
        if request.method == "POST" and path == "/api/v2/tickets":
            return self._create(request)
        if request.method == "GET" and path == "/api/v2/tickets":
            return self._list(request.url.params.get("external_id"))
        if path.startswith("/api/v2/tickets/") and request.method == "PUT":
            return self._update(path.rsplit("/", 1)[1], request)
        return _json(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        key = request.headers.get("idempotency-key")
        fingerprint = request.content.decode()
        if key and key in self._idempotency:
            seen, ticket_id = self._idempotency[key]
            if seen != fingerprint:
                return _json(400, {"error": "IdempotentRequestError"})
            ticket = self.tickets[ticket_id]
            return _json(201, {"ticket": ticket.as_json(self.base_url)}, lookup="hit")
        fields = body.get("ticket") or {}
        if not isinstance(fields.get("comment"), dict):
            return _json(
                422, {"error": "RecordInvalid", "description": "Description: cannot be blank"}
            )
        try:
            requester_id = self.directory.requester_of(fields)
        except Refused as e:
            return _json(422, {"error": "RecordInvalid", "description": str(e)})
        ticket = FakeTicket(
            id=self._next_id,
            fields=fields,
            comments=[dict(fields["comment"])],
            created_at=self._timestamp(),
            requester_id=requester_id,
        )
        self._next_id += 1
        self.tickets[ticket.id] = ticket
        if key:
            self._idempotency[key] = (fingerprint, ticket.id)
        return _json(201, {"ticket": ticket.as_json(self.base_url)}, lookup="miss" if key else None)

    def _list(self, external_id: str | None) -> httpx.Response:
        found = [
            t.as_json(self.base_url)
            for t in self.tickets.values()
            if external_id is None or t.fields.get("external_id") == external_id
        ]
        return _json(
            200, {"tickets": found, "next_page": None, "previous_page": None, "count": len(found)}
        )

    def _update(self, raw_id: str, request: httpx.Request) -> httpx.Response:
        ticket = self.tickets.get(int(raw_id)) if raw_id.isdigit() else None
        if ticket is None:
            return _json(404, {"error": "RecordNotFound", "description": "Not found"})
        if ticket.status == "closed":
            return _json(422, {"error": "RecordInvalid", "description": "Ticket is closed"})
        comment = json.loads(request.content)["ticket"]["comment"]
        try:
            files = self.directory.claim(comment.get("uploads"))
        except Refused as e:
            return _json(422, {"error": "RecordInvalid", "description": str(e)})
        ticket.comments.append(
            {"body": comment["body"], "public": comment.get("public", True), "files": files}
        )
        ticket.updated_at = self._timestamp()
        event = {"id": len(ticket.comments), "type": "Comment", "body": comment["body"]}
        audit = {"id": 7000 + len(ticket.comments), "ticket_id": ticket.id, "events": [event]}
        return _json(200, {"ticket": ticket.as_json(self.base_url), "audit": audit})

    def _show(self, raw_id: str) -> httpx.Response:
        ticket = self.tickets.get(int(raw_id)) if raw_id.isdigit() else None
        if ticket is None:
            return _json(404, {"error": "RecordNotFound", "description": "Not found"})
        return _json(200, {"ticket": ticket.as_json(self.base_url)})

    def _people(self, request: httpx.Request, route: str, user_id: int | None) -> httpx.Response:
        """The stand-in's people and uploads routes, on this fake's tickets."""
        plain = Request(
            method=request.method,
            path=request.url.path,
            query=parse_qs(request.url.query.decode("latin-1")),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=request.content,
            client_host="127.0.0.1",
        )
        answer = serve_people(self.directory, self.tickets.values(), plain, route, user_id)
        return _json(answer.status, answer.body)


def _json(status: int, body: dict[str, Any], lookup: str | None = None) -> httpx.Response:
    headers = {"x-idempotency-lookup": lookup} if lookup else {}
    return httpx.Response(status, json=body, headers=headers)
