"""What the Zendesk stand-in remembers, in its own process: the tickets (the record that must
outlive a restarted bridge; tickets.py), the Idempotency-Keys seen on creates, the background
jobs of bulk updates (jobs.py), the faults it was told to inject, the account's per-minute budget
(budget.py) and how many calls each route received.

Idempotency follows Zendesk's Ticketing API introduction ("Idempotency"): a key is honoured on
ticket create only and kept for two hours (``idempotency_ttl``); the same key with the same
request parameters answers the first ticket again with ``x-idempotency-lookup: hit`` (a first
use answers ``miss``); the same key with other parameters answers 400 ``IdempotentRequestError``.
A key whose first request is still being processed answers 409 (Zendesk's documentation does not
describe that case; 409 is what the IETF Idempotency-Key draft prescribes). "The same
parameters" is compared on the parsed JSON, not on the bytes: key order and spacing differ
between clients without changing the request.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Literal, get_args

from tests.support.standin.asgi import Answer
from tests.support.standin.budget import AccountBudget
from tests.support.standin.directory import Directory
from tests.support.standin.jobs import Jobs, NoTicket
from tests.support.standin.tickets import StoredTicket, comment_record, kind, link, update

Route = Literal[
    "create",
    "update",
    "list",
    "show",
    "me",
    "users",
    "search_users",
    "upsert_user",
    "requested",
    "upload",
    "incidents",
    "update_many",
    "job_status",
]
ROUTES: tuple[Route, ...] = get_args(Route)
"""The Support API calls the stand-in serves (``other`` counts every unknown path)."""

DEFAULT_IDEMPOTENCY_TTL = 7200.0
FIRST_TICKET_ID = 1001


class Clock:
    """Wall and monotonic time plus an offset a test can advance (key expiry, fault windows)
    without sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def timestamp(self) -> str:
        """Zendesk's ISO 8601 UTC format, e.g. ``2026-12-01T09:14:57Z``."""
        return datetime.fromtimestamp(time.time() + self.offset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class KeyEntry:
    fingerprint: str
    expires_at: float
    answer: dict[str, Any] | None = None
    """The first request's answer body, replayed on a hit; None while that request is still
    being processed."""


class KeyVerdict(Enum):
    NEW = "new"
    HIT = "hit"
    MISMATCH = "mismatch"
    IN_PROGRESS = "in_progress"


@dataclass
class Failure:
    """Answer ``status`` instead of processing, while the window lasts: until ``until``
    (monotonic), for ``calls_left`` calls, whichever ends first (neither: until a reset)."""

    status: int
    until: float | None
    calls_left: int | None
    retry_after: int | None
    only: str | None

    def take(self, route: str, now: float) -> bool:
        """Does this call fail? (Counts it against ``calls_left`` when it does.)"""
        if self.only is not None and route != self.only:
            return False
        if self.until is not None and now >= self.until:
            return False
        if self.calls_left is not None:
            if self.calls_left <= 0:
                return False
            self.calls_left -= 1
        return True


@dataclass
class Faults:
    failure: Failure | None = None
    create_delay: float = 0.0
    drops_left: int = 0


@dataclass
class StandinState:
    """The stand-in's memory; one instance per process, used from its one event loop."""

    idempotency_ttl: float = DEFAULT_IDEMPOTENCY_TTL
    clock: Clock = field(default_factory=Clock)
    tickets: dict[int, StoredTicket] = field(default_factory=dict)
    keys: dict[str, KeyEntry] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    budget: AccountBudget = field(default_factory=AccountBudget)
    jobs: Jobs = field(default_factory=Jobs)
    calls: Counter[str] = field(default_factory=Counter)
    creates: list[dict[str, Any]] = field(default_factory=list)
    directory: Directory = field(init=False)
    _next_id: int = FIRST_TICKET_ID

    def __post_init__(self) -> None:
        self.directory = Directory(self.clock.monotonic, self.clock.timestamp)

    # --- faults and counts -------------------------------------------------------------------
    def failing(self, route: str) -> Failure | None:
        failure = self.faults.failure
        if failure is not None and failure.take(route, self.clock.monotonic()):
            return failure
        return None

    def take_drop(self) -> bool:
        if self.faults.drops_left <= 0:
            return False
        self.faults.drops_left -= 1
        return True

    def log_create(self, key: str | None, answer: Answer | None) -> None:
        """One line per create call: its key and what it got (``dropped``: no answer)."""
        if answer is None:
            self.creates.append(
                {"idempotency_key": key, "status": "dropped", "lookup": None, "ticket_id": None}
            )
            return
        ticket = answer.body.get("ticket")
        self.creates.append(
            {
                "idempotency_key": key,
                "status": answer.status,
                "lookup": dict(answer.headers).get("x-idempotency-lookup"),
                "ticket_id": ticket.get("id") if isinstance(ticket, dict) else None,
            }
        )

    def call_counts(self) -> dict[str, Any]:
        """``GET /_standin/calls``: per route, and how many the budget refused (429)."""
        calls = {route: self.calls[route] for route in (*ROUTES, "other")}
        return {"calls": calls, "rate_limited": self.budget.refused}

    def reset(self, *, tickets: bool = False) -> None:
        """Faults (the budget and the jobs' delay too), call counts and the create log back to
        none; with ``tickets``, forget tickets, keys and jobs too."""
        self.faults = Faults()
        self.budget.reset()
        self.jobs.delay = 0.0
        self.calls.clear()
        self.creates.clear()
        if tickets:
            self.tickets.clear()
            self.keys.clear()
            self.jobs.reset()
            self.directory.reset()
            self._next_id = FIRST_TICKET_ID

    # --- creates and their Idempotency-Keys ---------------------------------------------------
    def claim_key(self, key: str, body: object) -> tuple[KeyVerdict, dict[str, Any] | None]:
        """Judge a create carrying ``key`` (with the answer to replay on a HIT); a NEW key is
        recorded as in progress at once."""
        fingerprint = json.dumps(body, sort_keys=True, separators=(",", ":"))
        now = self.clock.monotonic()
        entry = self.keys.get(key)
        if entry is not None and entry.expires_at <= now:
            entry = None
        if entry is None:
            self.keys[key] = KeyEntry(fingerprint, now + self.idempotency_ttl)
            return KeyVerdict.NEW, None
        if entry.fingerprint != fingerprint:
            return KeyVerdict.MISMATCH, None
        if entry.answer is None:
            return KeyVerdict.IN_PROGRESS, None
        return KeyVerdict.HIT, entry.answer

    def release_key(self, key: str) -> None:
        """The first request with ``key`` ended without a ticket: the key is free again."""
        entry = self.keys.get(key)
        if entry is not None and entry.answer is None:
            del self.keys[key]

    def add_ticket(
        self, fields: dict[str, Any], key: str | None, base_url: str
    ) -> tuple[StoredTicket, dict[str, Any]]:
        """File the ticket; with its answer body, recorded under ``key`` in the same step.
        Raises ``directory.Refused`` for a requester, an upload, a type or a problem Zendesk
        would refuse (tickets.py)."""
        ticket_type, problem_id = kind(self.tickets, fields)
        requester_id = self.directory.requester_of(fields)
        ticket = StoredTicket(
            id=self._next_id,
            fields=fields,
            comments=[comment_record(fields["comment"], self.directory)],
            created_at=self.clock.timestamp(),
            idempotency_key=key,
            requester_id=requester_id,
        )
        self._next_id += 1
        self.tickets[ticket.id] = ticket
        link(self.tickets, ticket, ticket_type, problem_id)
        answer = {"ticket": ticket.as_zendesk(base_url)}
        if key is not None and key in self.keys:
            self.keys[key].answer = answer
        return ticket, answer

    def update(self, ticket_id: int, fields: dict[str, Any]) -> list[dict[str, Any]]:
        """Change one ticket as ``PUT /api/v2/tickets/{id}`` does (tickets.update); its audit
        events. Raises ``NoTicket`` or ``directory.Refused``."""
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise NoTicket(ticket_id)
        return update(self.tickets, self.directory, ticket, fields, self.clock.timestamp())

    def with_external_id(self, external_id: str | None) -> list[StoredTicket]:
        return [
            t
            for t in self.tickets.values()
            if external_id is None or t.fields.get("external_id") == external_id
        ]
