"""A JSON response at the ASGI level, and the endpoint that sends it.

Every path responds through ``JsonResponse`` (the raw routes send it directly; Litestar's
handlers convert it once), so a response looks the same whichever path made it. An endpoint
returns the ``LogFields`` of what it sent - what the access log and the metrics record about it -
instead of writing them into the request's scope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping

from entrypoints.asgi.requests import Message, RawHeaders, Receive, Scope, Send

JSON = "application/json"
_JSON_BYTES = JSON.encode()

LogFields = Mapping[str, object]
"""What a route tells the access log and the metrics about its response (ticket_id, created,
error_code, ...): never request data."""
Endpoint = Callable[[Scope, Receive, Send], Awaitable[LogFields | None]]
"""A route's ASGI endpoint: it sends the response and returns its log fields (None: nothing to
add, or nobody left to respond to)."""


def encode_headers(headers: Mapping[str, str]) -> RawHeaders:
    """``{"Retry-After": "5"}`` -> ``[(b"retry-after", b"5")]`` (ASGI wants lower-case bytes)."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class JsonResponse:
    """A JSON response ready to send: status, our headers (ASGI's lower-case byte pairs), body."""

    __slots__ = ("body", "headers", "log_fields", "status")

    def __init__(
        self,
        status: int,
        body: bytes,
        headers: RawHeaders | None = None,
        log_fields: LogFields | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.headers: RawHeaders = headers if headers is not None else []
        self.log_fields = log_fields

    async def send(self, send: Send) -> None:
        headers = [
            *self.headers,
            (b"content-type", _JSON_BYTES),
            (b"content-length", str(len(self.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


def with_headers(send: Send, extra: Iterable[tuple[bytes, bytes]]) -> Send:
    """``send`` that appends ``extra`` to the response's headers (for responses made by an inner
    app, such as the MCP SDK's)."""
    added = list(extra)

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *added]
        await send(message)

    return sending
