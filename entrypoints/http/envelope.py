"""The ASGI layer around every request: request id, security headers, one access-log line.

Done at the raw ASGI level (not as Litestar middleware) so it also covers answers Litestar makes
before routing (404, 405), at the cost of a few header appends per response.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import structlog

from application.ids import random_uuid_hex
from entrypoints.http.metrics import Metrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOG_FIELDS = "hdb.log"
_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _incoming_request_id(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return value if _REQUEST_ID.match(value) else None
    return None


def with_request_envelope(app: ASGIApp, metrics: Metrics) -> ASGIApp:
    """Wrap ``app`` so every HTTP answer carries the envelope, is logged once and counted."""
    log = structlog.get_logger("helpdesk_bridge.http")

    async def envelope(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        path = scope.get("path")  # read now: a mounted app (/mcp) rewrites scope["path"]
        request_id = _incoming_request_id(scope) or random_uuid_hex().encode()
        extra = [*SECURITY_HEADERS, (b"x-request-id", request_id)]
        if scope.get("scheme") == "https":
            extra.append(HSTS)
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            await app(scope, receive, send_with_headers)
        finally:
            seconds = time.perf_counter() - started
            fields = scope.get(LOG_FIELDS, {})
            metrics.observe(scope.get("method", ""), path, status, seconds, fields)
            log.info(
                "http.request",
                method=scope.get("method"),
                path=path,
                status=status,
                duration_ms=round(seconds * 1000, 2),
                request_id=request_id.decode(),
                **fields,
            )

    return envelope
