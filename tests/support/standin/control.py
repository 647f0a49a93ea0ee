"""The stand-in's control endpoints under ``/_standin/``: unauthenticated, loopback clients only,
never failed by a fault, never counted as helpdesk calls.

- ``POST /_standin/fail`` ``{"status": 503, "seconds": 60, "calls": null, "retry_after": 30,
  "only": "create"}``: answer ``status`` (with ``Retry-After`` when given) instead of processing,
  for ``seconds`` and/or ``calls`` (whichever ends first; neither: until reset); ``only`` limits
  it to one route (``state.ROUTES``: create, update, list, show, me, users, ...). Replaces an
  earlier failure.
- ``POST /_standin/slow`` ``{"seconds": 12}``: every create is applied after that delay, and
  answered after it (0 turns it off).
- ``POST /_standin/drop`` ``{"creates": 1}``: the next N creates are applied, then their
  connection is closed without an answer.
- ``POST /_standin/budget`` ``{"per_minute": 120}``: Zendesk's per-minute account rate limit
  (budget.py): past it every API call is answered 429 with ``Retry-After``, unprocessed; 0 or
  null turns it off. Composes with the faults above: the budget is checked first.
- ``POST /_standin/jobs`` ``{"seconds": 2}``: bulk updates' background jobs (jobs.py) run that
  many real seconds after they were queued (0: at once).
- ``POST /_standin/reset`` ``{"tickets": false}``: no faults (no budget, jobs at once), call
  counts to zero; with ``tickets``, no tickets, Idempotency-Keys or jobs either.
- ``POST /_standin/clock`` ``{"advance": 7200}``: move the stand-in's clock forward (key expiry,
  fault windows, the budget's window, timestamps).
- ``PATCH /_standin/tickets/{id}`` ``{"status": "solved"}``: what an agent does in Zendesk (a
  problem solved so solves its open incidents, as tickets.py says).
- ``GET /_standin/tickets``: ``{"tickets": [...]}``, every ticket as ``StoredTicket.as_record``
  (its ``type`` and ``problem_id`` included).
- ``POST /_standin/users`` ``{"name": "Jane", "phone": "+1 415 555 0123", "role": "end-user"}``:
  a user made elsewhere long ago (searchable at once), answered as ``{"user": {...}}``.
- ``GET /_standin/users``: ``{"users": [...]}``, every user (``id``, ``name``, ``phone``,
  ``external_id``, ``role``, ...).
- ``GET /_standin/calls``: ``{"calls": {"create": n, "update": n, ..., "other": n},
  "rate_limited": n}``, one count per route of ``state.ROUTES`` (the people and upload routes
  too) and ``other``, since start or the last reset (failed and refused calls included), and how
  many of them the budget refused with a 429.
- ``GET /_standin/creates``: ``{"creates": [{"idempotency_key", "status", "lookup",
  "ticket_id"}]}``, one per create call since start or reset, in the order
  they were answered (``status`` is
  ``"dropped"`` for a create whose connection was closed unanswered).
"""

from __future__ import annotations

from typing import Any

from tests.support.standin.asgi import Answer, BadJson, Request, error
from tests.support.standin.state import ROUTES, Failure, StandinState
from tests.support.standin.tickets import TICKET_STATUSES, change_status

CONTROL_PREFIX = "/_standin/"
LOOPBACK = frozenset({"127.0.0.1", "::1"})


class Invalid(Exception):
    """A control request the stand-in cannot follow; the message says why."""


def _number(body: dict[str, Any], name: str, *, minimum: float = 0) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise Invalid(f"{name} must be a number >= {minimum}")
    return float(value)


def _count(body: dict[str, Any], name: str) -> int | None:
    value = _number(body, name)
    if value is not None and not value.is_integer():
        raise Invalid(f"{name} must be a whole number")
    return None if value is None else int(value)


def _failure(state: StandinState, body: dict[str, Any]) -> Failure:
    status = _count(body, "status")
    if status is None or not 400 <= status <= 599:
        raise Invalid("status must be an HTTP error status (400-599)")
    only = body.get("only")
    if only is not None and only not in ROUTES:
        raise Invalid(f"only must be one of {', '.join(ROUTES)}")
    seconds = _number(body, "seconds")
    return Failure(
        status=status,
        until=None if seconds is None else state.clock.monotonic() + seconds,
        calls_left=_count(body, "calls"),
        retry_after=_count(body, "retry_after"),
        only=only,
    )


def _set_status(state: StandinState, raw_id: str, body: dict[str, Any]) -> Answer:
    ticket = state.tickets.get(int(raw_id)) if raw_id.isdigit() else None
    if ticket is None:
        return error(404, "RecordNotFound", f"no ticket {raw_id}")
    status = body.get("status")
    if status not in TICKET_STATUSES:
        raise Invalid(f"status must be one of {', '.join(sorted(TICKET_STATUSES))}")
    now = state.clock.timestamp()
    change_status(state.tickets, ticket, str(status), now, comment=None)
    ticket.updated_at = now
    return Answer(200, {"ticket": ticket.as_record()})


def _add_user(state: StandinState, body: dict[str, Any]) -> Answer:
    name, phone, role = body.get("name"), body.get("phone"), body.get("role", "end-user")
    if not isinstance(name, str) or not name or not isinstance(role, str):
        raise Invalid("a user needs a name (and a role, when given, as text)")
    if phone is not None and not isinstance(phone, str):
        raise Invalid("phone must be text")
    user = state.directory.add(name, phone, role=role, indexed=True)
    return Answer(200, {"user": user.as_zendesk("http://127.0.0.1")})


def _post(state: StandinState, action: str, body: dict[str, Any]) -> Answer:
    faults = state.faults
    if action == "fail":
        faults.failure = _failure(state, body)
    elif action == "slow":
        faults.create_delay = _number(body, "seconds") or 0.0
    elif action == "drop":
        faults.drops_left = _count(body, "creates") or 0
    elif action == "budget":
        state.budget.set(_count(body, "per_minute"), state.clock.monotonic())
    elif action == "jobs":
        state.jobs.delay = _number(body, "seconds") or 0.0
    elif action == "reset":
        state.reset(tickets=bool(body.get("tickets", False)))
    elif action == "clock":
        state.clock.offset += _number(body, "advance") or 0.0
    elif action == "users":
        return _add_user(state, body)
    else:
        return error(404, "InvalidEndpoint", f"no control action {action!r}")
    return Answer(200, {"ok": True})


def control(state: StandinState, request: Request) -> Answer:
    """Follow one control request."""
    if request.client_host not in LOOPBACK:
        return error(403, "Forbidden", "the control endpoints answer loopback clients only")
    action = request.path.removeprefix(CONTROL_PREFIX).strip("/")
    try:
        if request.method == "GET" and action == "tickets":
            return Answer(200, {"tickets": [t.as_record() for t in state.tickets.values()]})
        if request.method == "GET" and action == "users":
            users = [u.as_zendesk(request.base_url) for u in state.directory.users.values()]
            return Answer(200, {"users": users})
        if request.method == "GET" and action == "calls":
            return Answer(200, state.call_counts())
        if request.method == "GET" and action == "creates":
            return Answer(200, {"creates": state.creates})
        if request.method == "PATCH" and action.startswith("tickets/"):
            return _set_status(state, action.removeprefix("tickets/"), request.json_object())
        if request.method == "POST":
            return _post(state, action, request.json_object())
    except (Invalid, BadJson) as e:
        return error(400, "InvalidControl", str(e))
    return error(404, "InvalidEndpoint", f"no control endpoint {request.method} {request.path}")
