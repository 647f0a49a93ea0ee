"""Raw ASGI input and output: the request's headers, its body, and a JSON answer.

The routes on the hot path (the hand-off webhook, ``/mcp``) are raw ASGI apps in front of
Litestar, so they read headers and bodies and send answers here, once for all of them, instead of
building framework request and response objects per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]
"""Loose on purpose: frameworks (Litestar) type their scopes and events more narrowly."""
RawHeaders = list[tuple[bytes, bytes]]

JSON = "application/json"
_JSON_BYTES = JSON.encode()


def read_headers(scope: Scope, names: frozenset[bytes]) -> dict[bytes, str]:
    """The values of ``names`` (lower case) in one pass over the ASGI header list.

    ASGI servers hand names over in lower case; the first occurrence of a name wins, as with
    a framework's ``headers.get``."""
    found: dict[bytes, str] = {}
    for name, value in scope.get("headers", ()):
        if name in names and name not in found:
            found[name] = bytes(value).decode("latin-1")
    return found


def client_ip(scope: Scope) -> str:
    """The peer's address as the server (or ``--forwarded-allow-ips``) reports it."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class ClientDisconnected(Exception):
    """The client went away before its body arrived: there is nobody to answer."""


async def read_body(scope: Scope, receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, or ``(b"", True)`` as soon as it is known to exceed ``limit`` bytes
    (from Content-Length, or while a chunked body streams in)."""
    for name, value in scope.get("headers", ()):
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


def encode_headers(headers: Mapping[str, str]) -> RawHeaders:
    """``{"Retry-After": "5"}`` -> ``[(b"retry-after", b"5")]`` (ASGI wants lower-case bytes)."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class Answer:
    """A JSON answer ready to send: status, our headers (ASGI's lower-case byte pairs), body.

    Every path answers through this type (the raw routes send it directly; Litestar's handlers
    convert it once), so an answer looks the same whichever path made it."""

    __slots__ = ("body", "facts", "headers", "status")

    def __init__(
        self,
        status: int,
        body: bytes,
        headers: RawHeaders | None = None,
        facts: Mapping[str, object] | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.headers: RawHeaders = headers if headers is not None else []
        self.facts = facts
        """What the access log and metrics record about this answer (never request data)."""

    async def send(self, send: Send) -> None:
        headers = [
            *self.headers,
            (b"content-type", _JSON_BYTES),
            (b"content-length", str(len(self.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


def with_headers(send: Send, extra: Iterable[tuple[bytes, bytes]]) -> Send:
    """``send`` that appends ``extra`` to the response's headers (for answers made by an inner
    app, such as the MCP SDK's)."""
    added = list(extra)

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *added]
        await send(message)

    return sending
