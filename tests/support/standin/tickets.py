"""A ticket in the Zendesk stand-in, how an update changes it, and Zendesk's problem/incident
rules between tickets.

From Zendesk's OpenAPI description (``TicketObject``): ``type`` is one of ``problem``,
``incident``, ``question``, ``task`` (or null); ``problem_id`` is "for tickets of type incident,
the ID of the problem the incident is linked to"; ``has_incidents`` (read-only) is "true if a
ticket is a problem type and has one or more incidents linked to it". A create or an update may
set ``type`` and ``problem_id`` (``TicketCreateRequest``, ``TicketUpdateRequest``), so a ticket
can be made an incident of a problem after it was filed.

Zendesk's rules, and where the stand-in had to choose:

- ``problem_id`` naming a ticket that does not exist, or one that is not a problem, is refused
  with Zendesk's validation error: 422 ``{"error": "RecordInvalid", "description": "Record
  validation errors", "details": {"problem_id": [{"description": ..., "error": ...}]}}`` (the
  shape of Zendesk's 422, field-keyed ``details`` of ``{description, error}``; the wording of
  each description is the stand-in's). An unknown ``type`` is refused the same way.
- ``problem_id`` only means something on an incident (the description's words): on any other
  type the stand-in keeps it null, and a ticket that stops being an incident leaves its problem.
  Zendesk's documentation says nothing more; this is the stand-in's reading.
- Solving a problem solves its incidents that are not solved or closed yet (Zendesk's help
  article "Working with problem and incident tickets"; e.g. also 729solutions.com, "Ticket types
  and priorities in Zendesk": "Zendesk will automatically change the [status] to Solved on each
  Incident Ticket after the Problem ticket has been changed"), and the comment that solves the
  problem is added to each incident it solves (the same article; a detail the stored copies
  available here could not confirm). Zendesk may solve a large problem's incidents in the
  background; the stand-in solves them in the same request. An agent solving it by hand
  (``PATCH /_standin/tickets/{id}``) solves them the same way, without a comment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.support.standin.asgi import Answer
from tests.support.standin.directory import AGENT_ID, Directory, Refused

TICKET_TYPES = frozenset({"problem", "incident", "question", "task"})
TICKET_STATUSES = frozenset({"new", "open", "pending", "hold", "solved", "closed"})
DONE_STATUSES = frozenset({"solved", "closed"})

Tickets = Mapping[int, "StoredTicket"]


class InvalidField(Refused):
    """One field Zendesk refuses (422 ``RecordInvalid``, with ``details`` naming the field)."""

    def __init__(self, name: str, description: str, code: str = "InvalidValue") -> None:
        super().__init__(description)
        self.name, self.description, self.code = name, description, code


def ticket_route(method: str, rest: list[str]) -> tuple[str, int | None] | None:
    """(route, ticket id) for the path after ``/api/v2/`` of a ticket call, or None."""
    if rest == ["tickets"]:
        return {"POST": ("create", None), "GET": ("list", None)}.get(method)
    if rest == ["tickets", "update_many"]:
        return ("update_many", None) if method == "PUT" else None
    if len(rest) == 2 and rest[0] == "job_statuses":  # the job's id is read from the path
        return ("job_status", None) if method == "GET" else None
    if len(rest) >= 2 and rest[0] == "tickets" and rest[1].isdigit():
        routes = {("GET",): "show", ("PUT",): "update", ("GET", "incidents"): "incidents"}
        name = routes.get((method, *rest[2:]))
        return (name, int(rest[1])) if name else None
    return None


def refusal(e: Refused) -> Answer:
    """Zendesk's 422 for ``e``: field-keyed ``details`` when a field is to blame."""
    if isinstance(e, InvalidField):
        details = {e.name: [{"description": e.description, "error": e.code}]}
        body = {"error": "RecordInvalid", "description": "Record validation errors"}
        return Answer(422, {**body, "details": details})
    return Answer(422, {"error": "RecordInvalid", "description": str(e)})


@dataclass
class StoredTicket:
    id: int
    fields: dict[str, Any]
    comments: list[dict[str, Any]]
    created_at: str
    idempotency_key: str | None
    status: str = "new"
    updated_at: str = ""
    requester_id: int = AGENT_ID
    ticket_type: str | None = None
    problem_id: int | None = None
    incident_ids: set[int] = field(default_factory=set)
    """The incidents linked to this ticket (kept by ``link``), whatever its own type."""

    @property
    def has_incidents(self) -> bool:
        return self.ticket_type == "problem" and bool(self.incident_ids)

    def as_zendesk(self, base_url: str) -> dict[str, Any]:
        """The ticket object as the Support API answers it."""
        return {
            "id": self.id,
            "url": f"{base_url}/api/v2/tickets/{self.id}.json",
            "subject": self.fields.get("subject"),
            "description": self.comments[0]["body"] if self.comments else "",
            "status": self.status,
            "type": self.ticket_type,
            "problem_id": self.problem_id,
            "has_incidents": self.has_incidents,
            "external_id": self.fields.get("external_id"),
            "tags": list(self.fields.get("tags") or []),
            "custom_fields": list(self.fields.get("custom_fields") or []),
            "requester_id": self.requester_id,
            "submitter_id": AGENT_ID,
            "created_at": self.created_at,
            "updated_at": self.updated_at or self.created_at,
        }

    def as_record(self) -> dict[str, Any]:
        """Everything a test may check, as a person at the helpdesk would see it."""
        return {
            "id": self.id,
            "external_id": self.fields.get("external_id"),
            "subject": self.fields.get("subject"),
            "status": self.status,
            "type": self.ticket_type,
            "problem_id": self.problem_id,
            "tags": list(self.fields.get("tags") or []),
            "custom_fields": list(self.fields.get("custom_fields") or []),
            "requester": self.fields.get("requester"),
            "requester_id": self.requester_id,
            "comments": [dict(c) for c in self.comments],
            "created_at": self.created_at,
            "idempotency_key": self.idempotency_key,
        }


def comment_record(comment: dict[str, Any], directory: Directory) -> dict[str, Any]:
    """A comment as stored, its ``uploads`` claimed (raises ``Refused`` for a bad token)."""
    files = directory.claim(comment.get("uploads"))
    return {
        "body": comment.get("body", ""),
        "public": comment.get("public", True),
        "attachments": [f.as_record() for f in files],
    }


def kind(
    tickets: Tickets, fields: Mapping[str, Any], current: StoredTicket | None = None
) -> tuple[str | None, int | None]:
    """The ``(type, problem_id)`` a create (``current`` None) or an update leaves a ticket
    with; ``InvalidField`` for a type Zendesk does not have or a problem that is not one."""
    ticket_type = fields.get("type", current.ticket_type if current else None)
    if ticket_type is not None and ticket_type not in TICKET_TYPES:
        raise InvalidField("type", "Type: is not one of problem, incident, question, task")
    if ticket_type != "incident":
        return ticket_type, None
    problem_id = fields.get("problem_id", current.problem_id if current else None)
    if problem_id is None:
        return ticket_type, None
    problem = tickets.get(problem_id) if type(problem_id) is int else None
    if problem is None:
        raise InvalidField("problem_id", f"Problem: ticket {problem_id} does not exist")
    if problem.ticket_type != "problem" or problem is current:
        raise InvalidField("problem_id", f"Problem: ticket {problem_id} is not a problem")
    return ticket_type, problem_id


def link(
    tickets: Tickets, ticket: StoredTicket, ticket_type: str | None, problem_id: int | None
) -> None:
    """Give ``ticket`` its type and problem, moving it between problems' incident sets."""
    if ticket.problem_id is not None and ticket.problem_id != problem_id:
        old = tickets.get(ticket.problem_id)
        if old is not None:
            old.incident_ids.discard(ticket.id)
    ticket.ticket_type, ticket.problem_id = ticket_type, problem_id
    if problem_id is not None:
        tickets[problem_id].incident_ids.add(ticket.id)


def incidents_of(tickets: Tickets, problem: StoredTicket) -> list[StoredTicket]:
    """The incidents linked to ``problem``, oldest first."""
    return [tickets[i] for i in sorted(problem.incident_ids) if i in tickets]


def change_status(
    tickets: Tickets, ticket: StoredTicket, status: str, now: str, comment: dict[str, Any] | None
) -> None:
    """Set ``status``; a problem being solved solves its open incidents, each given ``comment``
    (the one that solved the problem) when there is one."""
    solving = status == "solved" and ticket.status not in DONE_STATUSES
    ticket.status = status
    if not solving or ticket.ticket_type != "problem":
        return
    for incident in incidents_of(tickets, ticket):
        if incident.status in DONE_STATUSES:
            continue
        incident.status = "solved"
        incident.updated_at = now
        if comment is not None:
            incident.comments.append({**comment, "attachments": list(comment["attachments"])})


def update(
    tickets: Tickets, directory: Directory, ticket: StoredTicket, fields: dict[str, Any], now: str
) -> list[dict[str, Any]]:
    """Apply one ``PUT /api/v2/tickets/{id}`` body's ``ticket`` (also each ticket of an
    ``update_many``): a comment, a status, a type and problem; its audit events. Refuses (and
    changes nothing) for a closed ticket, a bad upload token or a bad type/problem."""
    if ticket.status == "closed":
        raise Refused("Ticket is closed")
    ticket_type, problem_id = kind(tickets, fields, ticket)
    comment = fields.get("comment")
    stored = comment_record(comment, directory) if isinstance(comment, dict) else None
    events: list[dict[str, Any]] = []
    if stored is not None:
        ticket.comments.append(stored)
        events.append({"id": len(ticket.comments), "type": "Comment", "body": stored["body"]})
    if (ticket_type, problem_id) != (ticket.ticket_type, ticket.problem_id):
        link(tickets, ticket, ticket_type, problem_id)
        changed = {"type": ticket_type, "problem_id": problem_id}
        events.extend(
            {"id": len(ticket.comments) + n, "type": "Change", "field_name": name, "value": value}
            for n, (name, value) in enumerate(changed.items(), start=1)
            if value is not None
        )
    if isinstance(fields.get("status"), str):
        change_status(tickets, ticket, fields["status"], now, stored)
    ticket.updated_at = now
    return events
