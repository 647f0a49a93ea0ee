"""Request Tracker 5 behind the ``HelpdeskGateway`` port (REST 2.0, token auth).

What lands where:
- create: ``POST /REST/2.0/ticket`` in ``RT_QUEUE``, the hand-off text as the ticket's first
  message (plus the caller's number and the source as lines of it), the dedup key in the
  ``RT_EXTERNAL_REF_FIELD`` ticket custom field, the caller's number in ``RT_CALLER_FIELD``.
- note: ``POST /REST/2.0/ticket/{id}/comment`` - a comment is internal; ``/correspond`` would
  mail the requestor, which a hand-off note must never do. Files go with it as
  ``Attachments`` (base64).
- lookup: ``GET /REST/2.0/tickets?query=<TicketSQL>`` on the custom field, active statuses only.
- reading: ``GET /REST/2.0/ticket/{id}``; a caller's tickets by TicketSQL on the caller field
  (``adapters.helpdesk.rt.reading``).
- set-up: both custom fields apply to the queue (``check_setup``, ``adapters.helpdesk.rt.setup``).
- health: ``GET /REST/2.0/rt`` (authenticated).

RT has no idempotency keys, so a create is re-sent only when it surely did not land (connect
errors, 429, 503). If one may have landed and its answer is lost, the caller sees
``HelpdeskUnavailable(uncertain=True)`` and must look the ticket up by its dedup key (the custom
field is the record) before creating again; docs/helpdesks.md says what window remains.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.helpdesk.http_gateway import HttpHelpdesk
from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.rt.reading import RtReading, ticketsql_string
from adapters.helpdesk.rt.setup import missing_custom_fields
from adapters.helpdesk.wire import (
    REFERENCE_LABEL,
    Answer,
    checked_attachments,
    note_body,
    numeric_ticket_id,
    parse_timestamp,
    unexpected_status,
)
from application.errors import TicketNotFound
from application.ports import Clock
from application.timing.deadline import Deadline
from domain.ticket import Attachment, NewTicket, TicketRef, TicketStatus

__all__ = ["RtHelpdesk", "RtSettings", "build_rt_client", "ticketsql_string"]

REST_PATH = "/REST/2.0"


@dataclass(frozen=True, slots=True)
class RtSettings:
    """Where RT is (its web root, e.g. https://rt.example.com), the auth token of the user the
    bridge acts as, the queue tickets go to and the ticket custom fields holding the dedup key
    and the caller's number."""

    api_url: str
    token: str = field(repr=False)  # secrets stay out of reprs/logs
    queue: str = "General"
    external_ref_field: str = "ExternalRef"
    timeout_seconds: float = 5.0
    caller_field: str = "CallerNumber"

    def __post_init__(self) -> None:
        if not self.api_url.startswith(("https://", "http://")):
            raise ValueError("HELPDESK_API_URL must be RT's http(s) web root")
        if not self.token:
            raise ValueError("RT needs HELPDESK_API_KEY (an RT auth token)")
        for name, setting in (
            (self.external_ref_field, "RT_EXTERNAL_REF_FIELD"),
            (self.caller_field, "RT_CALLER_FIELD"),
        ):
            if not name or any(c in name for c in "{}'\\"):
                raise ValueError(f"{setting} must be a plain custom field name")

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


class RtHelpdesk(HttpHelpdesk[RtSettings]):
    """Request Tracker as a ``HelpdeskGateway``. Ticket ids are RT's numbers as strings; the URL
    is RT's ticket page, ``{web root}/Ticket/Display.html?id={id}``."""

    health_path = "/rt"

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: RtSettings,
        resilience: Resilience,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(client, settings, resilience, clock)
        self._reading = RtReading(client, resilience, settings.web_url, settings.caller_field)

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        payload: dict[str, Any] = {
            "Queue": self._settings.queue,
            "Subject": ticket.subject,
            "Content": self._content(ticket),
            "ContentType": "text/plain",
        }
        fields = {
            self._settings.external_ref_field: ticket.dedup_key,
            self._settings.caller_field: ticket.caller_number,
        }
        if any(fields.values()):
            payload["CustomFields"] = {name: value for name, value in fields.items() if value}
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
        self,
        ticket_id: str,
        text: str,
        author: str | None,
        deadline: Deadline | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        """Comment (never correspond), with ``attachments`` as the comment's files. Not
        replay-safe: a comment that may have landed is not re-sent. RT answers a comment on a
        missing ticket with 400, so a 400 is told apart from a real refusal by asking for the
        ticket."""
        number = numeric_ticket_id(ticket_id)
        payload: dict[str, Any] = {"Content": note_body(text, author), "ContentType": "text/plain"}
        files = checked_attachments(attachments)
        if files:
            payload["Attachments"] = [
                {
                    "FileName": f.filename,
                    "FileType": f.content_type,
                    "FileContent": base64.b64encode(f.data).decode("ascii"),
                }
                for f in files
            ]
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

    async def get_ticket(
        self, ticket_id: str, deadline: Deadline | None = None
    ) -> TicketStatus | None:
        return await self._reading.get_ticket(ticket_id, deadline)

    async def find_caller_tickets(
        self, caller_number: str, limit: int, deadline: Deadline | None = None
    ) -> list[TicketStatus]:
        return await self._reading.find_caller_tickets(caller_number, limit, deadline)

    async def check_setup(self) -> list[str]:
        """What is missing in RT for the bridge, in words an operator can act on (empty: all
        set); raises the port's errors when RT cannot be asked."""
        settings = self._settings
        wanted = {
            settings.external_ref_field: "RT_EXTERNAL_REF_FIELD",
            settings.caller_field: "RT_CALLER_FIELD",
        }
        missing = await missing_custom_fields(
            self._client, self._resilience, settings.queue, tuple(wanted)
        )
        return [
            f"ticket custom field {name!r} ({wanted[name]}) does not apply to queue"
            f" {settings.queue!r}"
            for name in missing
        ]

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
