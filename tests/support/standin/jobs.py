"""Bulk ticket updates as Zendesk runs them: in the background, behind a job status.

From Zendesk's OpenAPI description:

- ``PUT /api/v2/tickets/update_many`` (``TicketsUpdateMany``) "accepts an array of up to 100
  ticket objects, or a comma-separated list of up to 100 ticket ids": ``?ids=1,2`` with
  ``{"ticket": {...}}`` (the same change to each) or ``{"tickets": [{"id": 1, ...}, ...]}``
  (each its own). It answers 200 ``JobStatusResponse``: ``{"job_status": {"id", "url",
  "status", "total", "progress", "message", "results"}}``, the id "automatically assigned when
  the job is queued", the url "the URL to poll for status updates", the status one of
  ``queued``, ``working``, ``failed``, ``completed``. The tickets change when the job runs, not
  when the request is answered: the answer says ``queued``.
- ``GET /api/v2/job_statuses/{job_status_id}`` (``ShowJobStatus``) -> ``{"job_status"}``; once
  ``completed``, ``results`` has one entry per ticket: ``{"id", "action": "update", "status":
  "Updated", "success": true}`` (``UpdateResourceResult``) or ``{"id", "action": "update",
  "success": false, "error", "details"}`` (``FailedResult``).

Each ticket of a job is changed exactly as ``PUT /api/v2/tickets/{id}`` changes it (tickets.py),
so ``{"ticket": {"type": "incident", "problem_id": 7}}`` with ``?ids=`` links many tickets to a
problem in one call, and solving a problem this way solves its incidents. The stand-in's
choices: a job runs ``POST /_standin/jobs {"seconds": s}`` real seconds after it was queued
(default 0: at once, after the answer); more than 100 tickets, or a body in neither form, is
answered 400 before any job is queued; a failed ticket's ``error`` is ``RecordNotFound`` or
``RecordInvalid`` (Zendesk's names for the same refusals of a single update).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.standin.asgi import Request
from tests.support.standin.directory import Refused

MAX_TICKETS = 100

Item = tuple[int, dict[str, Any]]
"""One ticket of a bulk update: its id and the fields to change."""


class BadBulk(Exception):
    """An ``update_many`` request the stand-in answers 400 without queueing anything."""


class NoTicket(Exception):
    """The ticket a job was to update does not exist."""


def bulk_items(request: Request) -> list[Item]:
    """The tickets an ``update_many`` request changes, and how."""
    body = request.json_object()
    ids = request.param("ids")
    if ids is not None:
        fields = body.get("ticket")
        numbers = ids.split(",")
        if not isinstance(fields, dict) or not all(n.strip().isdigit() for n in numbers):
            raise BadBulk("?ids= takes ticket ids, with one ticket object in the body")
        items = [(int(n), fields) for n in numbers]
    else:
        tickets = body.get("tickets")
        if not isinstance(tickets, list) or not all(
            isinstance(t, dict) and type(t.get("id")) is int for t in tickets
        ):
            raise BadBulk("a body of tickets, each with its id, or ?ids= and one ticket")
        items = [(t["id"], {k: v for k, v in t.items() if k != "id"}) for t in tickets]
    if not items or len(items) > MAX_TICKETS:
        raise BadBulk(f"from 1 to {MAX_TICKETS} tickets at a time")
    return items


def result(apply: Callable[[int, dict[str, Any]], object], item: Item) -> dict[str, Any]:
    """What the job status says of one ticket, after ``apply`` changed it (or refused)."""
    ticket_id, fields = item
    try:
        apply(ticket_id, fields)
    except NoTicket:
        failed = {"error": "RecordNotFound", "details": f"ticket {ticket_id} not found"}
        return {"id": ticket_id, "action": "update", "success": False, **failed}
    except Refused as e:
        failed = {"error": "RecordInvalid", "details": str(e)}
        return {"id": ticket_id, "action": "update", "success": False, **failed}
    return {"id": ticket_id, "action": "update", "status": "Updated", "success": True}


@dataclass
class Job:
    id: str
    total: int
    status: str = "queued"
    results: list[dict[str, Any]] | None = None
    message: str | None = None

    def as_zendesk(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": f"{base_url}/api/v2/job_statuses/{self.id}.json",
            "status": self.status,
            "total": self.total,
            "progress": len(self.results or ()),
            "message": self.message,
            "results": self.results,
        }


@dataclass
class Jobs:
    """The background jobs, run on the stand-in's event loop ``delay`` seconds after queueing."""

    delay: float = 0.0
    jobs: dict[str, Job] = field(default_factory=dict)
    _running: set[asyncio.Task[None]] = field(default_factory=set)

    def queue(
        self,
        items: list[Item],
        apply: Callable[[int, dict[str, Any]], object],
        timestamp: Callable[[], str],
    ) -> Job:
        """A queued job that will ``apply`` each item in turn."""
        job = Job(id=secrets.token_hex(16), total=len(items))
        self.jobs[job.id] = job

        async def run() -> None:
            await asyncio.sleep(self.delay)
            job.results = [result(apply, item) for item in items]
            job.status, job.message = "completed", f"Completed at {timestamp()}"

        task = asyncio.get_running_loop().create_task(run())
        self._running.add(task)  # held until done: the loop keeps weak references only
        task.add_done_callback(self._running.discard)
        return job

    def reset(self) -> None:
        """Forget every job; one not run yet is cancelled."""
        for task in self._running:
            task.cancel()
        self.jobs.clear()
