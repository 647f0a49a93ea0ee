"""Plain ASGI I/O for the stand-in: read one request, write one JSON (or plain text) answer, or
drop the connection without answering (what a helpdesk does when it crashes after committing)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY_BYTES = 4_000_000  # an upload of the largest attachment, with room


class BadJson(Exception):
    """The request body is not a JSON object."""


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client_host: str

    @classmethod
    async def read(cls, scope: Scope, receive: Receive) -> Request:
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BadJson("body too large")
            chunks.append(chunk)
            more = message.get("more_body", False)
        client = scope.get("client") or ("", 0)
        return cls(
            method=scope["method"],
            path=scope["path"],
            query=parse_qs(scope.get("query_string", b"").decode("latin-1")),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body=b"".join(chunks),
            client_host=str(client[0]),
        )

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (an empty body reads as ``{}``)."""
        if not self.body:
            return {}
        try:
            value = json.loads(self.body)
        except ValueError as e:
            raise BadJson(str(e)) from e
        if not isinstance(value, dict):
            raise BadJson("not a JSON object")
        return value

    @property
    def base_url(self) -> str:
        return f"http://{self.headers.get('host', '127.0.0.1')}"


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: ``body`` as JSON, or ``text`` as ``text/plain`` when given (what Zendesk sends
    for some refusals, e.g. its account-wide 429)."""

    status: int
    body: dict[str, Any]
    headers: tuple[tuple[str, str], ...] = ()
    text: str | None = None

    def with_headers(self, *headers: tuple[str, str]) -> Answer:
        return Answer(self.status, self.body, (*self.headers, *headers), self.text)

    async def write(self, send: Send) -> None:
        if self.text is None:
            payload, content_type = json.dumps(self.body).encode(), b"application/json"
        else:
            payload, content_type = self.text.encode(), b"text/plain"
        headers = [
            (b"content-type", content_type + b"; charset=utf-8"),
            (b"content-length", str(len(payload)).encode()),
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers),
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def page(key: str, items: list[dict[str, Any]]) -> Answer:
    """A list answer as Zendesk's offset pagination writes it, all on one page."""
    return Answer(200, {key: items, "next_page": None, "previous_page": None, "count": len(items)})


def error(status: int, name: str, description: str, *headers: tuple[str, str]) -> Answer:
    """Zendesk's error body: ``{"error": <name>, "description": <text>}``."""
    return Answer(status, {"error": name, "description": description}, headers)


async def drop_connection(send: Send) -> None:
    """Close the client's connection without a response.

    ASGI has no message for this, and an app that returns without answering gets a 500 written
    for it; so the transport is taken from uvicorn's request cycle, whose bound ``send`` this is
    (the stand-in runs without wrapping middleware). Waits until uvicorn has noticed the loss,
    so it writes nothing afterwards.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("not served by uvicorn: cannot drop the connection")
    transport.abort()
    for _ in range(10):
        if getattr(send.__self__, "disconnected", True):  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0)
