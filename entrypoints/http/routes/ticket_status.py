"""``POST /ingest/ticket-status``: a caller's tickets by phone number, or one ticket by its id.

Through the same gate as the webhook (rate limit, 413, token or HMAC, replay guard), then the
media type, the body decoded by the wire decoding every transport shares, and the look-up inside
``HANDOFF_DEADLINE_SECONDS`` from the request's arrival. A read: no Idempotency-Key handling.
"""

from __future__ import annotations

import msgspec

from application.ports import Clock
from application.timing.deadline import Deadline
from application.use_cases.ticket_status import TicketStatusCommand, TicketStatusLookup
from domain.errors import DomainError
from entrypoints.asgi.envelope import HttpError
from entrypoints.asgi.gate import Gate
from entrypoints.asgi.requests import Scope, read_headers
from entrypoints.asgi.responses import JsonResponse
from entrypoints.http.routes.gated_post import CONTENT_TYPE, GatedPostRoute, require_json
from entrypoints.wire.decoding import decode
from entrypoints.wire.ticket_status import ticket_status_body

PATH = "/ingest/ticket-status"
_encode = msgspec.json.Encoder().encode


class TicketStatusRoute(GatedPostRoute):
    """The ticket-status route, its collaborators bound once (at start-up)."""

    def __init__(
        self,
        gate: Gate,
        lookup: TicketStatusLookup,
        max_body_bytes: int,
        clock: Clock,
        deadline_seconds: float,
    ) -> None:
        self._gate = gate
        self._headers = gate.headers | {CONTENT_TYPE}
        self._lookup = lookup
        self._max_body = max_body_bytes
        self._clock = clock
        self._deadline_seconds = deadline_seconds

    async def _answer(
        self, scope: Scope, body: bytes, too_large: bool, deadline: Deadline
    ) -> JsonResponse:
        headers = read_headers(scope, self._headers)
        allowed = await self._gate.check(scope, headers, body, too_large=too_large)
        if isinstance(allowed, JsonResponse):
            return allowed
        try:
            require_json(headers)
            result = await self._lookup.execute(decode(TicketStatusCommand, body), deadline)
        except (HttpError, DomainError) as error:
            return allowed.refuse(error)
        log_fields = {
            "ticket_count": len(result.tickets)
        }  # no number, no id: nothing of the caller
        return JsonResponse(200, _encode(ticket_status_body(result)), allowed.headers, log_fields)
