"""A Zendesk stand-in: the Support API subset helpdesk-bridge uses, as a real HTTP server on
127.0.0.1, with faults on command (``/_standin/``, see control.py) and state in memory.

    python -m tests.support.standin.zendesk --port 8099 [--idempotency-ttl 7200]

Served (paths as in Zendesk's OpenAPI description; a ``.json`` suffix is accepted too):

- ``POST /api/v2/tickets`` -> 201 ``{"ticket": {...}}``; ``Idempotency-Key`` as state.py says.
- ``PUT /api/v2/tickets/{id}`` -> 200 ``{"ticket", "audit"}``: a comment, a status, a ``type``
  and ``problem_id`` (problems and incidents: tickets.py).
- ``GET /api/v2/tickets?external_id=...`` -> 200 ``{"tickets", "next_page", "previous_page",
  "count"}``, current at once (unlike the Search API, which lags).
- ``GET /api/v2/tickets/{id}`` -> 200 ``{"ticket"}`` or 404 ``RecordNotFound``.
- ``GET /api/v2/tickets/{id}/incidents`` (``ListTicketIncidents``) -> 200 ``{"tickets", ...}``,
  the incidents linked to a problem (none for another ticket), or 404.
- ``PUT /api/v2/tickets/update_many`` -> 200 ``{"job_status"}`` queued, and ``GET
  /api/v2/job_statuses/{id}`` -> its progress and results: jobs.py.
- ``GET /api/v2/users/me`` -> the authenticated agent; without credentials Zendesk's anonymous
  user (``id: null``), as the real one answers.
- users (by ``external_id``, search by phone, ``create_or_update``), a user's requested tickets
  and uploads: people.py. A ticket's requester is ``requester_id`` (422 for an unknown user), a
  new user for a ``requester`` object, else the agent; a comment's ``uploads`` tokens attach
  their files (directory.py).
- Auth: Basic ``{email}/token:{api_token}`` or ``Bearer {oauth_token}``, or a bearer token from
  ``POST /oauth/tokens`` (client credentials, oauth.py); anything else 401
  ``{"error": "Couldn't authenticate you"}``.

Every API call counts against the per-minute account budget when one is set (budget.py), which
refuses calls past it before anything else looks at them. A slowed create is applied after its
delay whether or not the client is still there (uvicorn does not cancel an app whose client went
away), so "the client timed out, the ticket landed" is what really happens.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType

from tests.support.standin.asgi import Answer, BadJson, Receive, Request, Scope, Send, error, page
from tests.support.standin.asgi import drop_connection as _drop
from tests.support.standin.control import CONTROL_PREFIX, control
from tests.support.standin.directory import AGENT_ID, Refused
from tests.support.standin.jobs import BadBulk, bulk_items
from tests.support.standin.oauth import TokenIssuer
from tests.support.standin.people import PEOPLE_ROUTES, people_route, serve_people
from tests.support.standin.state import DEFAULT_IDEMPOTENCY_TTL, KeyVerdict, StandinState
from tests.support.standin.tickets import incidents_of, refusal, ticket_route

DEFAULT_EMAIL = "bridge@example.com"
DEFAULT_API_TOKEN = "standin-api-token"
DEFAULT_OAUTH_TOKEN = "standin-oauth-token"
AGENT = {"id": AGENT_ID, "name": "Bridge", "email": DEFAULT_EMAIL, "role": "agent"}
ANONYMOUS = {
    "id": None,
    "name": "Anonymous user",
    "email": "invalid@example.com",
    "role": "end-user",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    email: str = DEFAULT_EMAIL
    api_token: str = DEFAULT_API_TOKEN
    oauth_token: str = DEFAULT_OAUTH_TOKEN

    def accepts(self, authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            return value == self.oauth_token
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return decoded == f"{self.email}/token:{self.api_token}"


def _route(method: str, path: str) -> tuple[str, int | None] | None:
    """(route name, ticket id) of a Support API call, or None for a path we do not serve."""
    parts = path.removesuffix(".json").strip("/").split("/")
    if parts[:2] != ["api", "v2"]:
        return None
    rest = parts[2:]
    if rest == ["users", "me"] and method == "GET":
        return "me", None
    people = people_route(method, rest)
    if people is not None:
        return people
    return ticket_route(method, rest)


class ZendeskStandin:
    """The ASGI app: ``await app(scope, receive, send)``."""

    def __init__(self, state: StandinState, credentials: Credentials | None = None) -> None:
        self.state = state
        self.credentials = credentials or Credentials()
        self.oauth = TokenIssuer(state.clock)  # /oauth/tokens and its tokens (oauth.py)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            request = await Request.read(scope, receive)
        except BadJson:
            await error(413, "RequestTooLarge", "body too large").write(send)
            return
        if self.oauth.handles(request):
            await self.oauth.answer(request).write(send)
        elif request.path.startswith(CONTROL_PREFIX):
            await control(self.state, request).write(send)
        elif request.path == "/healthz":  # readiness for the test harness, never counted
            await Answer(200, {"status": "ok"}).write(send)
        else:
            await self._serve_api(request, send)

    async def _serve_api(self, request: Request, send: Send) -> None:
        """One Support API call: counted, admitted by the budget (or refused, 429), answered."""
        found = _route(request.method, request.path)
        route = found[0] if found else "other"
        self.state.calls[route] += 1
        refused, headers = self.state.budget.admit(self.state.clock.monotonic())
        if refused is not None:
            answer: Answer | None = refused
        elif found is None:
            answer = error(404, "InvalidEndpoint", "Not found")
        else:
            answer = await self._api(request, send, *found)
        if route == "create":
            self.state.log_create(request.headers.get("idempotency-key"), answer)
        if answer is not None:
            await answer.with_headers(*headers).write(send)

    async def _api(
        self, request: Request, send: Send, route: str, ticket_id: int | None
    ) -> Answer | None:
        failure = self.state.failing(route)
        if failure is not None:
            after = (
                () if failure.retry_after is None else (("retry-after", str(failure.retry_after)),)
            )
            return error(failure.status, "StandinFault", "a fault injected on command", *after)
        authorization = request.headers.get("authorization")
        if authorization is None and route == "me":
            return Answer(200, {"user": ANONYMOUS})
        if authorization is None or not (
            self.credentials.accepts(authorization) or self.oauth.accepts(authorization)
        ):
            return Answer(401, {"error": "Couldn't authenticate you"})
        try:
            if route == "create":
                return await self._create(request, send)
            if route == "update":
                return self._update(request, ticket_id)
            if route == "update_many":
                items = bulk_items(request)
                job = self.state.jobs.queue(items, self.state.update, self.state.clock.timestamp)
                return Answer(200, {"job_status": job.as_zendesk(request.base_url)})
            if route in PEOPLE_ROUTES:
                tickets = self.state.tickets.values()
                return serve_people(self.state.directory, tickets, request, route, ticket_id)
        except BadJson as e:
            return error(400, "InvalidJSON", f"the body is not a JSON object: {e}")
        except BadBulk as e:
            return error(400, "InvalidParameter", str(e))
        except Refused as e:
            return refusal(e)
        if route == "list":
            listed = self.state.with_external_id(request.param("external_id"))
            return page("tickets", [t.as_zendesk(request.base_url) for t in listed])
        if route == "job_status":
            shown = self.state.jobs.jobs.get(request.path.removesuffix(".json").rsplit("/")[-1])
            if shown is None:
                return error(404, "RecordNotFound", "Not found")
            return Answer(200, {"job_status": shown.as_zendesk(request.base_url)})
        if route in ("show", "incidents"):
            ticket = self.state.tickets.get(ticket_id or 0)
            if ticket is None:
                return error(404, "RecordNotFound", "Not found")
            if route == "show":
                return Answer(200, {"ticket": ticket.as_zendesk(request.base_url)})
            incidents = incidents_of(self.state.tickets, ticket)
            return page("tickets", [t.as_zendesk(request.base_url) for t in incidents])
        return Answer(200, {"user": AGENT})

    async def _create(self, request: Request, send: Send) -> Answer | None:
        body = request.json_object()
        fields = body.get("ticket")
        if not isinstance(fields, dict) or not isinstance(fields.get("comment"), dict):
            return error(422, "RecordInvalid", "Record validation errors")
        key = request.headers.get("idempotency-key")
        if key is not None:
            verdict, earlier = self.state.claim_key(key, body)
            if verdict is KeyVerdict.MISMATCH:
                return error(
                    400,
                    "IdempotentRequestError",
                    "Request parameters don't match the given idempotency key",
                )
            if verdict is KeyVerdict.IN_PROGRESS:
                return error(409, "Conflict", "A request with this idempotency key is in progress")
            if earlier is not None:  # the first answer again, as Zendesk replays it
                return Answer(201, earlier, (("x-idempotency-lookup", "hit"),))
        try:
            if self.state.faults.create_delay:
                await asyncio.sleep(self.state.faults.create_delay)
            ticket, body = self.state.add_ticket(fields, key, request.base_url)
        finally:
            if key is not None:
                self.state.release_key(key)  # a no-op once the ticket is recorded
        if self.state.take_drop():
            await _drop(send)
            return None
        lookup = () if key is None else (("x-idempotency-lookup", "miss"),)
        location = (("location", f"{request.base_url}/api/v2/tickets/{ticket.id}.json"),)
        return Answer(201, body, (*lookup, *location))

    def _update(self, request: Request, ticket_id: int | None) -> Answer:
        ticket = self.state.tickets.get(ticket_id or 0)
        if ticket is None:
            return error(404, "RecordNotFound", "Not found")
        fields = request.json_object().get("ticket")
        if not isinstance(fields, dict):
            return error(400, "InvalidJSON", "no ticket object in the body")
        events = self.state.update(ticket.id, fields)  # Refused: 422, nothing changed
        audit = {"id": 7000 + len(ticket.comments), "ticket_id": ticket.id, "events": events}
        return Answer(200, {"ticket": ticket.as_zendesk(request.base_url), "audit": audit})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the stand-in on 127.0.0.1 (loopback only, by design) until SIGTERM/SIGINT."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m tests.support.standin.zendesk")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--idempotency-ttl", type=float, default=DEFAULT_IDEMPOTENCY_TTL)
    parser.add_argument("--email", default=DEFAULT_EMAIL)
    parser.add_argument("--api-token", default=DEFAULT_API_TOKEN)
    parser.add_argument("--oauth-token", default=DEFAULT_OAUTH_TOKEN)
    args = parser.parse_args(argv)
    app = ZendeskStandin(
        StandinState(idempotency_ttl=args.idempotency_ttl),
        Credentials(args.email, args.api_token, args.oauth_token),
    )
    # uvicorn re-raises SIGTERM after its graceful shutdown; exit 0 instead of dying of it
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        http="h11",
        lifespan="on",
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=1,
        # longer than httpx's 5 s idle expiry, as real load balancers are: the client closes an
        # idle connection first, so no request races a server-side close (a false "dropped")
        timeout_keep_alive=75,
    )


if __name__ == "__main__":
    main()
