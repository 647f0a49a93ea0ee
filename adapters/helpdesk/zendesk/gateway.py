"""Zendesk Support behind the ``HelpdeskGateway`` port (API v2, JSON over HTTPS).

What lands where (split by job: ``zendesk_tickets`` the create body, ``zendesk_users`` the
caller as an end user, ``zendesk_uploads`` a note's files, ``zendesk_reading`` status reads):
- create: ``POST /api/v2/tickets`` - the hand-off text as the first comment (internal:
  ``public: false``, the caller gets no e-mail of it), the subject as given, tags for the
  category, reason and source, ``external_id`` = the dedup key, ``requester_id`` = the caller's
  end user (found by phone, made once), optional custom fields, and ``Idempotency-Key`` =
  ``NewTicket.request_key`` (one per problem, the body the same on every attempt) so a create
  retried after a timeout returns the first ticket instead of opening a second; a refused key
  (409, 400) is resolved by lookup.
- note: ``PUT /api/v2/tickets/{id}`` with an internal comment (``public: false``), its files
  uploaded first and named by token.
- lookup: ``GET /api/v2/tickets?external_id=...`` (the Search API lags minutes behind new tickets,
  this listing does not), keeping only unsolved tickets.
- reading: ``GET /api/v2/tickets/{id}``; a caller's tickets are their end user's requested ones.
- health: ``GET /api/v2/users/me``, which answers anonymous callers too: only a known user (an
  ``id``) proves the credentials work.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from adapters.helpdesk.http_gateway import HttpHelpdesk
from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.wire import (
    Answer,
    checked_attachments,
    note_body,
    numeric_ticket_id,
    parse_timestamp,
    unexpected_status,
)
from adapters.helpdesk.zendesk.oauth import ClientCredentials, ClientSecret
from adapters.helpdesk.zendesk.reading import ZendeskReading
from adapters.helpdesk.zendesk.tickets import custom_fields, key_refused, ticket_fields
from adapters.helpdesk.zendesk.uploads import upload_all
from adapters.helpdesk.zendesk.users import CACHE_SECONDS, ZendeskRequesters
from adapters.stores.requesters import MemoryRequesterCache
from application.errors import HelpdeskUnavailable, TicketNotFound
from application.ports import Clock, RequesterCache
from application.timing.deadline import Deadline
from domain.ticket import Attachment, NewTicket, TicketRef, TicketStatus

CLOSED_STATUSES = frozenset({"solved", "closed", "deleted"})
"""Zendesk statuses that no longer take a hand-off (new, open, pending and hold still do)."""


@dataclass(frozen=True, slots=True)
class ZendeskSettings:
    """Where Zendesk is and how to authenticate: an API token (with the agent's e-mail) or an
    OAuth access token. The ``*_field_id`` are optional ticket custom fields (text fields) that
    receive the category, reason and confidence as plain values."""

    api_url: str
    email: str | None = None
    api_token: str | None = field(default=None, repr=False)  # secrets stay out of reprs/logs
    oauth_token: str | None = field(default=None, repr=False)
    oauth_client: ClientSecret | None = None  # client credentials: win over the static ones
    timeout_seconds: float = 5.0
    category_field_id: int | None = None
    reason_field_id: int | None = None
    confidence_field_id: int | None = None
    requester_cache_seconds: float = CACHE_SECONDS
    """How long a caller's end user is remembered (``RequesterCache``)."""

    def __post_init__(self) -> None:
        if not self.api_url.startswith(("https://", "http://")):
            raise ValueError(
                "HELPDESK_API_URL must be an http(s) URL, e.g. https://acme.zendesk.com"
            )
        if not (self.oauth_client or self.oauth_token or (self.email and self.api_token)):
            raise ValueError(
                "Zendesk needs HELPDESK_OAUTH_CLIENT_ID + HELPDESK_OAUTH_CLIENT_SECRET, "
                "HELPDESK_OAUTH_TOKEN, or HELPDESK_API_EMAIL + HELPDESK_API_KEY"
            )

    @property
    def base_url(self) -> str:
        return self.api_url.rstrip("/")

    def authorization(self) -> str:
        """The ``Authorization`` header value (OAuth wins when both are configured)."""
        if self.oauth_token:
            return f"Bearer {self.oauth_token}"
        raw = f"{self.email}/token:{self.api_token}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


def build_zendesk_client(settings: ZendeskSettings) -> httpx.AsyncClient:
    """The one shared client for Zendesk: base URL, auth, JSON, connect/read timeouts.

    The container owns it (a singleton closed at shutdown); ``ZendeskHelpdesk`` only uses it.
    """
    client = httpx.AsyncClient(
        base_url=settings.base_url,
        headers={"Accept": "application/json", "User-Agent": "helpdesk-bridge"},
        timeout=httpx.Timeout(settings.timeout_seconds),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
    )
    if settings.oauth_client is not None:  # adapters/helpdesk/zendesk/oauth.py
        return ClientCredentials(settings.oauth_client).install(client)
    client.headers["Authorization"] = settings.authorization()
    return client


class ZendeskHelpdesk(HttpHelpdesk[ZendeskSettings]):
    """Zendesk as a ``HelpdeskGateway``. Ticket ids are Zendesk's numbers as strings; the URL is
    the agent view, ``{HELPDESK_API_URL}/agent/tickets/{id}``."""

    health_path = "/api/v2/users/me"

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: ZendeskSettings,
        resilience: Resilience,
        clock: Clock | None = None,
        *,
        requester_cache: RequesterCache | None = None,
    ) -> None:
        super().__init__(client, settings, resilience, clock)
        cache = requester_cache or MemoryRequesterCache(self._clock)
        self._requesters = ZendeskRequesters(
            client, resilience, cache, settings.requester_cache_seconds
        )
        self._reading = ZendeskReading(client, resilience, self._requesters, settings.base_url)

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        """Open the ticket. With a ``request_key`` the create is replay-safe (Zendesk answers a
        repeated Idempotency-Key with the first ticket), so it is retried even after a read
        timeout; without one it is retried only when it surely did not land.

        Zendesk refuses a key it is still processing (409) or saw with another body (400
        ``IdempotentRequestError``); either way a ticket for the key may exist, so it is looked
        up by ``external_id``. Nothing found: a 409 is doubt (the first create may still land),
        a 400 an answer we cannot use."""
        number = ticket.caller_number
        requester, remembered = (
            await self._requesters.find_or_create(number, deadline) if number else (None, False)
        )
        response = await self._send_create(ticket, requester, deadline)
        if response.status_code == 422 and remembered and number:
            # Zendesk refused the remembered user (merged or deleted since): find it afresh.
            await self._requesters.forget(number)
            requester, _ = await self._requesters.find_or_create(number, deadline)
            response = await self._send_create(ticket, requester, deadline)
        if response.status_code in (200, 201):
            answer = Answer.read(response, "create_ticket")
            return self._ref(answer, answer.field("ticket", dict, "no ticket in the answer"))
        if ticket.request_key and key_refused(response):
            found = await self._filed_under_key(ticket, deadline)
            if found is not None:
                return found
            if response.status_code == 409:
                raise HelpdeskUnavailable(
                    "The helpdesk is still processing a create with the same key",
                    {"operation": "create_ticket", "status": 409},
                    uncertain=True,
                )
        raise unexpected_status("create_ticket", response)

    async def _send_create(
        self, ticket: NewTicket, requester: int | None, deadline: Deadline | None
    ) -> httpx.Response:
        headers = {"Idempotency-Key": ticket.request_key} if ticket.request_key else {}
        config = self._settings
        custom = custom_fields(
            ticket, config.category_field_id, config.reason_field_id, config.confidence_field_id
        )
        payload = {"ticket": ticket_fields(ticket, requester, custom)}
        return await self._resilience.send(
            "create_ticket",
            lambda: self._client.post("/api/v2/tickets", json=payload, headers=headers),
            replay_safe=ticket.request_key is not None,
            deadline=deadline,
        )

    async def _filed_under_key(
        self, ticket: NewTicket, deadline: Deadline | None
    ) -> TicketRef | None:
        """The open ticket under the create's dedup key, after Zendesk refused its request key:
        a look-up that fails leaves doubt (a create with that key was made or is under way)."""
        if not ticket.dedup_key:
            return None
        try:
            return await self.find_open_ticket([ticket.dedup_key], deadline)
        except HelpdeskUnavailable as e:
            raise HelpdeskUnavailable(
                "The helpdesk refused a repeated create and could not be asked for its ticket",
                e.details,
                retry_after=e.retry_after,
                uncertain=True,
            ) from e

    async def append_note(
        self,
        ticket_id: str,
        text: str,
        author: str | None,
        deadline: Deadline | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        """Add an internal comment, with ``attachments`` uploaded first (``zendesk_uploads``).

        Not replay-safe: Zendesk has no idempotency for updates, so a PUT that may have landed
        (read timeout, 500/502/504) is NOT re-sent - that could post the note twice. It is
        retried only when it surely did not land (connect errors, 429, 503); otherwise the
        caller gets ``HelpdeskUnavailable`` (``uncertain``) and decides.
        """
        number = numeric_ticket_id(ticket_id)
        files = checked_attachments(attachments)
        comment: dict[str, Any] = {"body": note_body(text, author), "public": False}
        if files:
            comment["uploads"] = await upload_all(self._client, self._resilience, files, deadline)
        payload = {"ticket": {"comment": comment}}
        response = await self._resilience.send(
            "append_note",
            lambda: self._client.put(f"/api/v2/tickets/{number}", json=payload),
            replay_safe=False,
            deadline=deadline,
        )
        if response.status_code == 404:
            raise TicketNotFound(f"Ticket {ticket_id} not found")
        if response.status_code != 200:
            raise unexpected_status("append_note", response)

    async def get_ticket(
        self, ticket_id: str, deadline: Deadline | None = None
    ) -> TicketStatus | None:
        return await self._reading.get_ticket(ticket_id, deadline)

    async def find_caller_tickets(
        self, caller_number: str, limit: int, deadline: Deadline | None = None
    ) -> list[TicketStatus]:
        return await self._reading.find_caller_tickets(caller_number, limit, deadline)

    async def find_open_ticket(
        self, dedup_keys: Sequence[str], deadline: Deadline | None = None
    ) -> TicketRef | None:
        """The newest unsolved ticket whose ``external_id`` is the strongest key that has one
        (``GET /api/v2/tickets?external_id=``: the Search API lags minutes behind creates)."""
        for key in dedup_keys:
            answer = await self._answer(
                "find_open_ticket",
                partial(self._client.get, "/api/v2/tickets", params={"external_id": key}),
                deadline,
                replay_safe=True,
                read_only=True,
            )
            tickets = answer.field("tickets", list, "no ticket list in the answer")
            candidates = [
                self._ref(answer, t)
                for t in tickets
                if isinstance(t, dict)
                and t.get("external_id") == key
                and t.get("status") not in CLOSED_STATUSES
            ]
            if candidates:
                return max(candidates, key=lambda ref: ref.created_at)
        return None

    def _healthy(self, response: httpx.Response) -> bool:
        """``users/me`` answers anonymous callers too: only a known user (an id) proves the
        credentials work."""
        user = Answer.read(response, "check_health").body.get("user")
        return isinstance(user, dict) and user.get("id") is not None

    def _ref(self, answer: Answer, ticket: dict[str, Any]) -> TicketRef:
        number = ticket.get("id")
        if not isinstance(number, int) or isinstance(number, bool):
            raise answer.bad("the ticket has no numeric id")
        created = parse_timestamp(ticket.get("created_at"))
        return TicketRef(
            id=str(number),
            url=f"{self._settings.base_url}/agent/tickets/{number}",
            created_at=created if created is not None else self._clock.now(),
        )
