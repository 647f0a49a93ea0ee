"""The edge: one ASGI app in front of every route - dispatch by path, then the request envelope.

    socket -> uvicorn -> Edge: match the route (one table), request id, security headers
           -> the route (a raw endpoint such as the webhook or /mcp, or Litestar for the rest)
           -> one access-log line and the metrics, labelled with the route's name

Composed, not subclassed: Litestar is one of the routes' endpoints (and receives the lifespan
events), the hot routes are reached without its router, and every spelling of a path (a
trailing slash) is normalised here, once, so it reaches the same route.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import structlog

from application.ids import random_uuid_hex
from entrypoints.asgi.requests import ASGIApp, Message, Receive, Scope, Send
from entrypoints.bootstrap.metrics import Metrics

LogFields = Mapping[str, object]
"""What a route tells the access log and the metrics about its answer (ticket_id, created,
error_code, ...): returned by the endpoint, never written into the request scope."""
Endpoint = Callable[[Scope, Receive, Send], Awaitable[LogFields | None]]

_NO_LOG_FIELDS: LogFields = {}
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
"""A client's X-Request-ID is kept only in this shape (it is logged and echoed); anything else is
replaced by a fresh id."""
CLIENT_CLOSED = 499
"""The access line's status of a request whose client went away before any answer (nginx's)."""
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


@dataclass(frozen=True, slots=True)
class Route:
    """``name`` labels the route's metrics and log lines (a bounded set: never the raw path);
    ``template`` is the path the access line shows for a path below a prefix route (default
    ``<prefix>/{path}``), so nothing a client puts in a URL - a token pasted into it - is logged.
    """

    name: str
    endpoint: Endpoint
    template: str | None = None


def asgi_endpoint(app: ASGIApp) -> Endpoint:
    """An ASGI app (Litestar) as an endpoint that reports no log fields of its own."""

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> LogFields | None:
        await app(scope, receive, send)
        return None

    return endpoint


UNMATCHED = "/{path}"
"""The logged path of a request no route claims (answered 404)."""


class RouteTable:
    """Exact paths, then path prefixes (a mount such as ``/mcp``), then the fallback. A match is
    the route and the path as logged: the exact path, the prefix, the prefix route's template, or
    ``UNMATCHED`` - never the request's own path below a prefix."""

    def __init__(
        self,
        exact: Mapping[str, Route],
        prefixes: Mapping[str, Route],
        fallback: Route,
    ) -> None:
        self._exact = {path: (route, path) for path, route in exact.items()}
        self._prefixes = tuple(
            (prefix, (route, prefix), (route, route.template or prefix + "/{path}"))
            for prefix, route in prefixes.items()
        )
        self._fallback = (fallback, fallback.template or UNMATCHED)

    def match(self, path: str) -> tuple[Route, str]:
        found = self._exact.get(path)
        if found is not None:
            return found
        for prefix, itself, below in self._prefixes:
            if path == prefix:
                return itself
            if path.startswith(prefix + "/"):
                return below
        return self._fallback


def normalised(path: str) -> str:
    """``/ingest/oa-handoff/`` -> ``/ingest/oa-handoff``; ``/`` stays ``/``."""
    if len(path) > 1 and path.endswith("/"):
        return path.rstrip("/") or "/"
    return path


def _incoming_request_id(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            return bytes(value) if _REQUEST_ID.fullmatch(value) else None
    return None


class Edge:
    """The ASGI app uvicorn serves. ``lifespan`` events go to ``lifespan_app`` (Litestar)."""

    def __init__(self, routes: RouteTable, lifespan_app: ASGIApp, metrics: Metrics) -> None:
        self._routes = routes
        self._lifespan_app = lifespan_app
        self._metrics = metrics
        self._log = structlog.get_logger("helpdesk_bridge.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._lifespan_app(scope, receive, send)
            return
        started = time.perf_counter()
        path = normalised(scope["path"])
        scope["path"] = path
        route, template = self._routes.match(path)
        request_id = _incoming_request_id(scope) or random_uuid_hex().encode()
        extra = [*SECURITY_HEADERS, (b"x-request-id", request_id)]
        if scope.get("scheme") == "https":
            extra.append(HSTS)
        status = 0

        async def send_with_envelope(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        log_fields: LogFields | None = None
        try:
            log_fields = await route.endpoint(scope, receive, send_with_envelope)
            status = status or CLIENT_CLOSED  # returned without answering: nobody to answer
        finally:
            status = status or 500  # raised before answering: the server answers 500
            log_fields = log_fields or _NO_LOG_FIELDS
            seconds = time.perf_counter() - started
            method = scope.get("method", "")
            self._metrics.observe(method, route.name, status, seconds, log_fields)
            self._log.info(
                "http.request",
                method=method,
                path=template,
                route=route.name,
                status=status,
                duration_ms=round(seconds * 1000, 2),
                request_id=request_id.decode(),
                **log_fields,
            )
