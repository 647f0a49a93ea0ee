"""``POST /ingest/oa-handoff``: the gate, the media type, validation, idempotency, the hand-off.

A raw endpoint of the edge (``edge.py``): everything the request path needs is bound once in
``HandoffRoute.__init__`` (at start-up), so a request does no container look-ups and builds no
framework objects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import msgspec
import structlog

from application.inputs.idempotency_key import checked_idempotency_key
from application.ports import Clock, StoredResponse
from application.speech.handoff import SayTemplates
from application.timing.deadline import Deadline
from application.use_cases.idempotency import IdempotentRunner
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from domain.errors import DomainError
from entrypoints.asgi.envelope import HttpError
from entrypoints.asgi.gate import AllowedRequest, Gate
from entrypoints.asgi.requests import Scope, read_headers
from entrypoints.asgi.responses import JsonResponse, LogFields
from entrypoints.http.routes.gated_post import CONTENT_TYPE, GatedPostRoute, require_json
from entrypoints.wire.bodies import handoff_response
from entrypoints.wire.decoding import decode

IDEMPOTENCY_KEY = b"idempotency-key"
_encoder = msgspec.json.Encoder()


class HandoffRoute(GatedPostRoute):
    """The hand-off route, its collaborators bound once."""

    def __init__(
        self,
        gate: Gate,
        idempotency: IdempotentRunner,
        handoff: OaHandoff,
        max_body_bytes: int,
        clock: Clock,
        deadline_seconds: float,
        on_queued: Callable[[], None] | None = None,
        *,
        say: SayTemplates,
        phone_region: str | None = None,
    ) -> None:
        self._gate = gate
        self._headers = gate.headers | {CONTENT_TYPE, IDEMPOTENCY_KEY}
        self._idempotency = idempotency
        self._handoff = handoff
        self._max_body = max_body_bytes
        self._clock = clock
        self._deadline_seconds = deadline_seconds
        self._on_queued = on_queued
        self._say = say
        self._phone_region = phone_region
        self._log = structlog.get_logger("helpdesk_bridge.outbox")

    async def _answer(
        self, scope: Scope, body: bytes, too_large: bool, deadline: Deadline
    ) -> JsonResponse:
        headers = read_headers(scope, self._headers)
        allowed = await self._gate.check(scope, headers, body, too_large=too_large)
        if isinstance(allowed, JsonResponse):
            return allowed
        try:
            require_json(headers)
            payload = decode(OaHandoffCommand, body, phone_region=self._phone_region)
            key = headers.get(IDEMPOTENCY_KEY)
            if key is None:
                return await self._run(payload, allowed, deadline)
            fingerprint = request_fingerprint(payload)
            log_fields: list[LogFields | None] = []

            async def run_once() -> StoredResponse:
                answer = await self._run(payload, allowed, deadline)
                log_fields.append(answer.log_fields)
                return StoredResponse(answer.status, answer.body)

            stored, replayed = await self._idempotency.run(
                f"{allowed.client}:{checked_idempotency_key(key)}", fingerprint, run_once, deadline
            )
        except (HttpError, DomainError) as error:
            return allowed.refuse(error)
        if replayed:
            headers_out = [*allowed.headers, (b"idempotent-replayed", b"true")]
            return JsonResponse(
                stored.status, stored.body, headers_out, {"idempotent_replay": True}
            )
        return JsonResponse(
            stored.status, stored.body, allowed.headers, log_fields[0] if log_fields else None
        )

    async def _run(
        self, payload: OaHandoffCommand, allowed: AllowedRequest, deadline: Deadline
    ) -> JsonResponse:
        result = await self._handoff.execute(payload, deadline)
        log_fields: dict[str, object] = {
            "ticket_id": result.ticket.id,
            "created": result.created,
            "category": result.problem.category.value,
        }
        status = 200
        if result.queued:
            status = 202
            log_fields["queued"] = True
            if result.created:
                self._log.info("outbox.queued", reference=result.ticket.id)
                if self._on_queued is not None:
                    self._on_queued()
        body = _encoder.encode(handoff_response(result, self._say.sentence(result)))
        return JsonResponse(status, body, allowed.headers, log_fields)


ABSENT_SUMMARY = b',"summary":null'
"""``summary`` came after the spec: absent, it is left out of the fingerprint. In the encoding
these bytes can only be that field (a string's own quotes are escaped)."""


def request_fingerprint(payload: OaHandoffCommand) -> str:
    """The Idempotency-Key fingerprint of a decoded hand-off: the same for a body as before a
    field was added, so a key retried across an upgrade (a fleet sharing Redis) still gets its
    stored answer instead of a 409. One encode of the struct, on the replay's hot path."""
    encoded = _encoder.encode(payload)
    if payload.summary is None:
        encoded = encoded.replace(ABSENT_SUMMARY, b"", 1)
    return hashlib.sha256(encoded).hexdigest()
