"""``POST /ingest/elevenlabs/post-call``: ElevenLabs' post-call webhook.

Not behind ``x-auth-token``: ElevenLabs signs the body instead (``ElevenLabs-Signature``,
``post_call_signature.py``). Order of checks: the rate limit (per IP) -> 429; the signature
header's shape and timestamp -> 401, before any of the body is read; the body streams through
the HMAC (``post_call_body.py``) and is kept only up to ``POST_CALL_MAX_BODY_BYTES``; a bad
signature -> 401. Then by the event's ``type``: a transcription is recorded on its ticket
(``RecordCall``) - or 413 if it was too large to keep; the audio, an initiation failure and any
type the bridge does not know are answered 200 ``ignored`` (ElevenLabs disables a webhook that
keeps failing, and answering them costs nothing: they were never held).

Logs carry the event's type, conversation id, outcome and ticket id - never the summary or the
transcript.
"""

from __future__ import annotations

import msgspec
import structlog

from application.ports import Clock, RateLimiter
from application.timing.deadline import Deadline
from application.use_cases.record_call import RecordCall
from domain.errors import DomainError
from entrypoints.asgi.envelope import HttpError, error_answer, internal_error, refusal
from entrypoints.asgi.gate import rate_headers, rate_limited
from entrypoints.asgi.requests import (
    ClientDisconnected,
    RawHeaders,
    Receive,
    Scope,
    Send,
    client_ip,
    read_headers,
)
from entrypoints.asgi.responses import JsonResponse, LogFields
from entrypoints.http.post_call.body import read_streamed
from entrypoints.http.post_call.payload import (
    TRANSCRIPTION,
    PostCallAnswer,
    recorded_answer,
    transcription_record,
)
from entrypoints.http.post_call.signature import SIGNATURE_HEADER, PostCallSignature

STREAM_CEILING_BYTES = 256 * 1024 * 1024
"""No body is read past this, whatever its type (a long call's audio is well below it)."""
CONTENT_LENGTH = b"content-length"
_ALLOW = [(b"allow", b"POST")]
_HEADERS = frozenset({SIGNATURE_HEADER, CONTENT_LENGTH})
_encode = msgspec.json.Encoder().encode
NOT_ENABLED = "Post-call webhooks are not enabled: set ELEVENLABS_WEBHOOK_SECRET"


class PostCallRoute:
    """The post-call route, its collaborators bound once. While no secret is configured
    (``signature.enabled`` False) it answers 404: there is nothing it could accept."""

    def __init__(
        self,
        signature: PostCallSignature,
        limiter: RateLimiter,
        record_call: RecordCall,
        max_body_bytes: int,
        clock: Clock,
        deadline_seconds: float,
        ceiling_bytes: int = STREAM_CEILING_BYTES,
    ) -> None:
        self._signature = signature
        self._limiter = limiter
        self._record_call = record_call
        self._max_body = max_body_bytes
        self._clock = clock
        self._deadline_seconds = deadline_seconds
        self._ceiling = max(ceiling_bytes, max_body_bytes)
        self._log = structlog.get_logger("helpdesk_bridge.post_call")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> LogFields | None:
        deadline = Deadline(self._clock, self._deadline_seconds)
        if scope["method"] != "POST":
            answer = error_answer("METHOD_NOT_ALLOWED", "Method not allowed", headers=_ALLOW)
        elif not self._signature.enabled:
            answer = error_answer("NOT_FOUND", NOT_ENABLED)
        else:
            try:
                answer = await self._answer(self._signature, scope, receive, deadline)
            except ClientDisconnected:
                return None
            except DomainError as error:  # e.g. STORE_UNAVAILABLE from the rate limiter
                answer = refusal(error)
            except Exception as error:  # a bug: the envelope, never a traceback
                answer = internal_error(error)
        await answer.send(send)
        return answer.log_fields

    async def _answer(
        self, signature: PostCallSignature, scope: Scope, receive: Receive, deadline: Deadline
    ) -> JsonResponse:
        decision = await self._limiter.hit(f"elevenlabs:ip:{client_ip(scope)}")
        limits = rate_headers(decision)
        if not decision.allowed:
            return rate_limited(decision, limits)
        headers = read_headers(scope, _HEADERS)
        try:
            verifier = signature.start(headers.get(SIGNATURE_HEADER))
        except HttpError as error:
            return refusal(error, limits)
        length = headers.get(CONTENT_LENGTH, "")
        if length.isdigit() and int(length) > self._ceiling:
            return self._too_large(limits)
        body = await read_streamed(receive, verifier, self._max_body, self._ceiling)
        if body.beyond_ceiling:
            return self._too_large(limits)
        if not verifier.matches():
            return refusal(HttpError("AUTH_REQUIRED", "Invalid ElevenLabs-Signature"), limits)
        event = body.event_type
        if event is not None and event != TRANSCRIPTION:
            self._log.info("post_call.ignored", call_event=event, size=body.size)
            answer = PostCallAnswer(status="ignored", event=event, reason="not_recorded")
            return JsonResponse(200, _encode(answer), limits, {"call_event": event})
        if body.kept is None:
            return self._too_large(limits)
        try:
            record = transcription_record(body.kept)
            result = await self._record_call.execute(record, deadline)
        except DomainError as error:
            return refusal(error, limits)
        log_fields = {
            "call_event": TRANSCRIPTION,
            "call_outcome": result.outcome.value,
            "ticket_id": result.ticket_id,
        }
        self._log.info(
            "post_call.recorded",
            conversation_id=result.conversation_id,
            replayed=result.replayed,
            reason=result.reason,
            **log_fields,
        )
        out = [*limits, (b"idempotent-replayed", b"true")] if result.replayed else limits
        return JsonResponse(200, _encode(recorded_answer(TRANSCRIPTION, result)), out, log_fields)

    def _too_large(self, limits: RawHeaders) -> JsonResponse:
        return error_answer(
            "PAYLOAD_TOO_LARGE",
            f"Request body too large (POST_CALL_MAX_BODY_BYTES: {self._max_body})",
            headers=limits,
        )
