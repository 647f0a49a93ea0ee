"""``POST /ingest/oa-handoff``: auth, rate limit, replay guard, validation, idempotency, hand-off.

Everything the request path needs is resolved once in ``HandoffEndpoint.__init__`` (at app
start), so a request does no container look-ups and no per-request set-up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import msgspec
import structlog
from litestar import Response

from application.idempotency import IdempotentRunner, checked_idempotency_key
from application.oa_handoff import OaHandoff, OaHandoffCommand
from application.ports import RateDecision, RateLimiter, ReplayGuard, StoredResponse
from domain.errors import DomainError
from entrypoints.boundary import decode, handoff_response
from entrypoints.http.auth import Authenticator
from entrypoints.http.envelope import LOG_FIELDS
from entrypoints.http.errors import JSON, HttpError, domain_error_response, error_response

_encoder = msgspec.json.Encoder()
_JSON_BYTES = JSON.encode()


# The request headers the route reads, found in one pass over the raw ASGI list (no Headers
# object per request). ASGI servers hand names over in lower case; the first occurrence wins,
# as with Litestar's ``request.headers.get``.
_READ_HEADERS = {
    b"x-auth-token": 0,
    b"x-signature": 1,
    b"x-timestamp": 2,
    b"content-type": 3,
    b"idempotency-key": 4,
}


def _read_headers(scope: Any) -> list[str | None]:
    found: list[str | None] = [None, None, None, None, None]
    for name, value in scope["headers"]:
        slot = _READ_HEADERS.get(name)
        if slot is not None and found[slot] is None:
            found[slot] = value.decode("latin-1")
    return found


class RawResponse:
    """A JSON answer sent straight over ASGI: the status, headers (lower case, in the order
    Litestar's ``Response`` sends them: ours, then content-type and content-length) and body a
    ``Response`` would send, without building and converting one per request (that conversion
    was ~10% of a hand-off; docs/PERFORMANCE.md)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self.status = status
        self.body = body
        self.headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]
        self.headers.append((b"content-type", _JSON_BYTES))
        self.headers.append((b"content-length", str(len(body)).encode()))

    @classmethod
    def of(cls, response: Response[bytes] | RawResponse) -> RawResponse:
        if isinstance(response, RawResponse):
            return response
        return cls(response.status_code or 200, response.content, response.headers)

    async def send(self, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class ClientDisconnected(Exception):
    """The client went away before its body arrived: there is nobody to answer."""


async def read_body(scope: Any, receive: Any, limit: int) -> tuple[bytes, bool]:
    """The request body, or ``(b"", True)`` as soon as it is known to exceed ``limit`` bytes
    (from Content-Length, or while streaming a chunked body)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            if value.isdigit() and int(value) > limit:
                return b"", True
            break
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks), False


def rate_headers(decision: RateDecision) -> dict[str, str]:
    """The RateLimit-* headers (IETF draft: reset in seconds), on every answer of the route."""
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset_seconds),
    }


class HandoffEndpoint:
    """The hand-off route as a raw ASGI app, its collaborators bound once.

    Raw ASGI because this is the hot path: the app also dispatches ``POST /ingest/oa-handoff``
    to it before Litestar's router (``BridgeApp``), and it answers every error itself in the
    service's envelope (Litestar's exception handlers are not in front of it).
    """

    def __init__(
        self,
        authenticator: Authenticator,
        rate_limiter: RateLimiter,
        replay_guard: ReplayGuard,
        idempotency: IdempotentRunner,
        handoff: OaHandoff,
        max_body_bytes: int,
    ) -> None:
        self._max_body = max_body_bytes
        self._auth = authenticator
        self._limiter = rate_limiter
        self._replays = replay_guard
        self._idempotency = idempotency
        self._handoff = handoff

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["method"] != "POST":
            response = RawResponse.of(error_response("METHOD_NOT_ALLOWED", "Method not allowed"))
            response.headers.append((b"allow", b"POST"))
            await response.send(send)
            return
        try:
            body, too_large = await read_body(scope, receive, self._max_body)
        except ClientDisconnected:
            return
        try:
            answer = await self._answer(scope, body, too_large)
        except DomainError as error:  # e.g. STORE_UNAVAILABLE from the rate limiter
            scope[LOG_FIELDS] = {"error_code": error.code}
            answer = domain_error_response(error)
        except Exception as error:  # a bug: the envelope, never a traceback to the client
            structlog.get_logger("helpdesk_bridge").error(
                "http.unhandled_error", error_type=type(error).__name__, exc_info=error
            )
            answer = error_response("INTERNAL_ERROR", "Internal server error")
        await RawResponse.of(answer).send(send)

    async def _answer(
        self, scope: Any, body: bytes, too_large: bool
    ) -> Response[bytes] | RawResponse:
        token, signature, timestamp, content_type, idempotency_key = _read_headers(scope)
        client = scope.get("client")
        client_ip = client[0] if client else "unknown"
        verdict = self._auth.check(token, signature, timestamp, body, client_ip)
        decision = await self._limiter.hit(verdict.client)
        limit_headers = rate_headers(decision)
        if not decision.allowed:
            limit_headers["Retry-After"] = str(decision.reset_seconds)
            return error_response(
                "RATE_LIMIT_EXCEEDED",
                f"Too many requests. Rate limit: {decision.limit} requests per second",
                headers=limit_headers,
            )
        if too_large:
            return error_response(
                "PAYLOAD_TOO_LARGE", "Request body too large", headers=limit_headers
            )
        try:
            if verdict.error is not None:
                raise verdict.error
            if verdict.signature is not None and not await self._replays.first_use(
                verdict.signature, verdict.replay_seconds
            ):
                raise HttpError("REPLAY_DETECTED", "Signature already used (replay refused)")
            if not (content_type or "").lower().startswith(JSON):
                raise HttpError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")
            payload = decode(OaHandoffCommand, body)
            if idempotency_key is None:
                response = await self._run(payload, scope)
                replayed = False
            else:
                scope_key = f"{verdict.client}:{checked_idempotency_key(idempotency_key)}"
                fingerprint = hashlib.sha256(_encoder.encode(payload)).hexdigest()
                response, replayed = await self._idempotency.run(
                    scope_key, fingerprint, lambda: self._run(payload, scope)
                )
        except HttpError as error:
            return error_response(error.code, error.message, error.details, limit_headers)
        except DomainError as error:
            scope[LOG_FIELDS] = {"error_code": error.code}
            return domain_error_response(error, limit_headers)
        if replayed:
            limit_headers["Idempotent-Replayed"] = "true"
            scope[LOG_FIELDS] = {"idempotent_replay": True}
        return RawResponse(response.status, response.body, limit_headers)

    async def _run(self, payload: OaHandoffCommand, scope: Any) -> StoredResponse:
        result = await self._handoff.execute(payload)
        scope[LOG_FIELDS] = {
            "ticket_id": result.ticket.id,
            "created": result.created,
            "category": result.problem.category.value,
        }
        return StoredResponse(200, _encoder.encode(handoff_response(result)))
