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

from application.ports import Clock, StoredResponse
from application.timing.deadline import Deadline
from application.use_cases.idempotency import IdempotentRunner, checked_idempotency_key
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from domain.errors import DomainError
from entrypoints.asgi.envelope import HttpError
from entrypoints.asgi.gate import Gate, Passage
from entrypoints.asgi.io import (
    Answer,
    Scope,
    read_headers,
)
from entrypoints.config.speech import SayTemplates
from entrypoints.http.edge import Facts
from entrypoints.http.routes.gated_post import CONTENT_TYPE, GatedPostRoute, require_json
from entrypoints.wire.bodies import decode, handoff_response

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
    ) -> Answer:
        headers = read_headers(scope, self._headers)
        admitted = await self._gate.admit(scope, headers, body, too_large=too_large)
        if isinstance(admitted, Answer):
            return admitted
        try:
            require_json(headers)
            payload = decode(OaHandoffCommand, body, phone_region=self._phone_region)
            key = headers.get(IDEMPOTENCY_KEY)
            if key is None:
                return await self._run(payload, admitted, deadline)
            fingerprint = request_fingerprint(payload)
            facts: list[Facts | None] = []

            async def run_once() -> StoredResponse:
                answer = await self._run(payload, admitted, deadline)
                facts.append(answer.facts)
                return StoredResponse(answer.status, answer.body)

            stored, replayed = await self._idempotency.run(
                f"{admitted.client}:{checked_idempotency_key(key)}", fingerprint, run_once, deadline
            )
        except (HttpError, DomainError) as error:
            return admitted.refuse(error)
        if replayed:
            headers_out = [*admitted.headers, (b"idempotent-replayed", b"true")]
            return Answer(stored.status, stored.body, headers_out, {"idempotent_replay": True})
        return Answer(stored.status, stored.body, admitted.headers, facts[0] if facts else None)

    async def _run(
        self, payload: OaHandoffCommand, admitted: Passage, deadline: Deadline
    ) -> Answer:
        result = await self._handoff.execute(payload, deadline)
        facts: dict[str, object] = {
            "ticket_id": result.ticket.id,
            "created": result.created,
            "category": result.problem.category.value,
        }
        status = 200
        if result.queued:
            status = 202
            facts["queued"] = True
            if result.created:
                self._log.info("outbox.queued", reference=result.ticket.id)
                if self._on_queued is not None:
                    self._on_queued()
        body = _encoder.encode(handoff_response(result, self._say.sentence(result)))
        return Answer(status, body, admitted.headers, facts)


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
