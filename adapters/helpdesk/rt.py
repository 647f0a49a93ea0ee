"""Request Tracker 5 behind the ``HelpdeskGateway`` port (REST 2.0, token auth).

What lands where:
- create: ``POST /REST/2.0/ticket`` in ``RT_QUEUE``, the hand-off text as the ticket's first
  message (plus the caller's number and the source, which RT has no fields for), the dedup key
  in the ``RT_EXTERNAL_REF_FIELD`` ticket custom field.
- note: ``POST /REST/2.0/ticket/{id}/comment`` - a comment is internal; ``/correspond`` would
  mail the requestor, which a hand-off note must never do.
- lookup: ``GET /REST/2.0/tickets?query=<TicketSQL>`` on the custom field, active statuses only.
- health: ``GET /REST/2.0/rt`` (authenticated).

RT has no idempotency keys, so a create is re-sent only when it surely did not land (connect
errors, 429, 503). If one may have landed and its answer is lost, the caller sees
``HelpdeskUnavailable(uncertain=True)`` and must look the ticket up by its dedup key (the custom
field is the record) before creating again; docs/helpdesks.md says what window remains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.helpdesk.http_gateway import HttpHelpdesk
from adapters.helpdesk.wire import (
    REFERENCE_LABEL,
    Answer,
    note_body,
    numeric_ticket_id,
    parse_timestamp,
    unexpected_status,
)
from application.deadline import Deadline
from application.errors import TicketNotFound
from domain.ticket import NewTicket, TicketRef

REST_PATH = "/REST/2.0"


@dataclass(frozen=True, slots=True)
class RtSettings:
    """Where RT is (its web root, e.g. https://rt.example.com), the auth token of the user the
    bridge acts as, the queue tickets go to and the ticket custom field holding the dedup key."""

    api_url: str
    token: str = field(repr=False)  # secrets stay out of reprs/logs
    queue: str = "General"
    external_ref_field: str = "ExternalRef"
    timeout_seconds: float = 5.0

    def __post_init__(self) -> None:
        if not self.api_url.startswith(("https://", "http://")):
            raise ValueError("HELPDESK_API_URL must be RT's http(s) web root")
        if not self.token:
            raise ValueError("RT needs HELPDESK_API_KEY (an RT auth token)")
        if not self.external_ref_field or any(c in self.external_ref_field for c in "{}'\\"):
            raise ValueError("RT_EXTERNAL_REF_FIELD must be a plain custom field name")

    @property
    def web_url(self) -> str:
        """RT's web root, whether the REST root or the web root was configured."""
        url = self.api_url.rstrip("/")
        return url.removesuffix(REST_PATH)


def build_rt_client(settings: RtSettings) -> httpx.AsyncClient:
    """The one shared client for RT: REST 2.0 base URL, token auth, JSON, connect/read timeouts.

    The container owns it (a singleton closed at shutdown); ``RtHelpdesk`` only uses it.
    """
    return httpx.AsyncClient(
        base_url=settings.web_url + REST_PATH,
        headers={
            "Authorization": f"token {settings.token}",
            "Accept": "application/json",
            "User-Agent": "helpdesk-bridge",
        },
        timeout=httpx.Timeout(settings.timeout_seconds),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=5),
    )


def ticketsql_string(value: str) -> str:
    """A TicketSQL string literal: RT unescapes backslash sequences inside single quotes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class RtHelpdesk(HttpHelpdesk[RtSettings]):
    """Request Tracker as a ``HelpdeskGateway``. Ticket ids are RT's numbers as strings; the URL
    is RT's ticket page, ``{web root}/Ticket/Display.html?id={id}``."""

    health_path = "/rt"

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        payload: dict[str, Any] = {
            "Queue": self._settings.queue,
            "Subject": ticket.subject,
            "Content": self._content(ticket),
            "ContentType": "text/plain",
        }
        if ticket.dedup_key:
            payload["CustomFields"] = {self._settings.external_ref_field: ticket.dedup_key}
        answer = await self._answer(
            "create_ticket",
            lambda: self._client.post("/ticket", json=payload),
            deadline,
            replay_safe=False,
            ok=(201,),
        )
        number = str(answer.body.get("id", ""))
        if not number.isdigit():
            raise answer.bad("the ticket has no numeric id")
        return self._ref(number, self._clock.now())

    async def append_note(
        self, ticket_id: str, text: str, author: str | None, deadline: Deadline | None = None
    ) -> None:
        """Comment (never correspond). Not replay-safe: a comment that may have landed is not
        re-sent. RT answers a comment on a missing ticket with 400, so a 400 is told apart from
        a real refusal by asking for the ticket."""
        number = numeric_ticket_id(ticket_id)
        payload = {"Content": note_body(text, author), "ContentType": "text/plain"}
        response = await self._resilience.send(
            "append_note",
            lambda: self._client.post(f"/ticket/{number}/comment", json=payload),
            replay_safe=False,
            deadline=deadline,
        )
        if response.status_code == 201:
            return
        if response.status_code == 404 or (
            response.status_code == 400 and not await self._exists(number, deadline)
        ):
            raise TicketNotFound(f"Ticket {ticket_id} not found")
        raise unexpected_status("append_note", response)

    async def find_open_ticket(
        self, dedup_keys: Sequence[str], deadline: Deadline | None = None
    ) -> TicketRef | None:
        """One TicketSQL query for all keys; the strongest key wins, then the newest ticket."""
        if not dedup_keys:
            return None
        field = f"CF.{{{self._settings.external_ref_field}}}"
        either = " OR ".join(f"{field} = {ticketsql_string(k)}" for k in dedup_keys)
        query = (
            f"Queue = {ticketsql_string(self._settings.queue)} AND ({either})"
            " AND Status = '__Active__'"
        )
        params = {"query": query, "fields": "Created,CustomFields", "per_page": "100"}
        answer = await self._answer(
            "find_open_ticket",
            lambda: self._client.get("/tickets", params=params),
            deadline,
            replay_safe=True,
            read_only=True,
        )
        items = answer.field("items", list, "no ticket list in the answer")
        rank = {key: i for i, key in enumerate(dedup_keys)}
        best: tuple[int, float, str] | None = None
        for item in items:
            if not isinstance(item, dict) or not str(item.get("id", "")).isdigit():
                continue
            ranks = [rank[v] for v in self._external_refs(item) if v in rank]
            created = parse_timestamp(item.get("Created"))
            if not ranks or created is None:
                continue
            candidate = (min(ranks), -created, str(item["id"]))
            if best is None or candidate < best:
                best = candidate
        return None if best is None else self._ref(best[2], -best[1])

    def _healthy(self, response: httpx.Response) -> bool:
        return "Version" in Answer.read(response, "check_health").body

    async def _exists(self, number: int, deadline: Deadline | None) -> bool:
        response = await self._resilience.send(
            "show_ticket",
            lambda: self._client.get(f"/ticket/{number}"),
            replay_safe=True,
            deadline=deadline,
            read_only=True,
        )
        return response.status_code != 404

    def _external_refs(self, item: dict[str, Any]) -> list[str]:
        fields = item.get("CustomFields")
        if not isinstance(fields, list):
            return []
        values: list[str] = []
        for cf in fields:
            if isinstance(cf, dict) and cf.get("name") == self._settings.external_ref_field:
                values.extend(v for v in cf.get("values") or [] if isinstance(v, str))
        return values

    @staticmethod
    def _content(ticket: NewTicket) -> str:
        lines = (
            ("Caller", ticket.caller_number),
            ("Source", ticket.source),
            (REFERENCE_LABEL, ticket.reference),  # a queued hand-off's: a caller may quote it
        )
        extra = [f"{label}: {value}" for label, value in lines if value]
        return ticket.body + ("\n\n" + "\n".join(extra) if extra else "")

    def _ref(self, number: str, created_at: float) -> TicketRef:
        return TicketRef(
            id=number,
            url=f"{self._settings.web_url}/Ticket/Display.html?id={number}",
            created_at=created_at,
        )
