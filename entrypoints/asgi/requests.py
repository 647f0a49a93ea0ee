"""Reading a request at the ASGI level: its headers, its peer, its body (bounded).

The routes on the hot path (the hand-off webhook, ``/mcp``) are raw ASGI apps in front of
Litestar, so they read headers and bodies here, once for all of them, instead of building
framework request objects per request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]
"""Loose on purpose: frameworks (Litestar) type their scopes and events more narrowly."""
RawHeaders = list[tuple[bytes, bytes]]


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
