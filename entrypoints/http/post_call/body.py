"""Reading a post-call webhook's body as it streams in: hashed whole, kept only up to a limit,
and scanned for its top-level ``type`` - so a call's audio (base64 MP3, many megabytes) is
verified and answered without ever being held, and a transcript is kept for decoding.

The ``type`` is found wherever it stands in the object (ElevenLabs sends it first, but nothing
promises that): a small scanner follows the JSON's nesting and strings across chunk boundaries
and reads the value of the first ``type`` key at the top level. Strings (the audio) are skipped
with one regular-expression search per chunk, so the scan costs next to nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from entrypoints.asgi.requests import ClientDisconnected, Receive
from entrypoints.http.post_call.signature import BodyVerifier

_STRING_STOP = re.compile(rb'["\\]')
_STRUCTURE = re.compile(rb'["{}\[\],:]')
_MAX_TOKEN_BYTES = 256  # a top-level key or the type's value longer than this is not looked at
_KEY, _COLON, _VALUE, _NEXT = range(4)


class TopLevelType:
    """Feed the body's chunks; ``value`` is the top-level ``type`` string once ``done``."""

    __slots__ = ("_capture", "_depth", "_escape", "_expect", "_in_string", "_key", "done", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.done = False
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._expect = _KEY
        self._key: str | None = None
        self._capture: bytearray | None = None  # the top-level key or type value being read

    def feed(self, chunk: bytes) -> None:
        at, end = 0, len(chunk)
        while at < end and not self.done:
            at = self._in_text(chunk, at) if self._in_string else self._in_structure(chunk, at)

    def _in_text(self, chunk: bytes, at: int) -> int:
        if self._escape:  # the escaped character itself, whatever it is
            self._keep(chunk[at : at + 1])
            self._escape = False
            return at + 1
        stop = _STRING_STOP.search(chunk, at)
        if stop is None:
            self._keep(chunk[at:])
            return len(chunk)
        self._keep(chunk[at : stop.start()])
        if chunk[stop.start()] == 0x5C:  # a backslash: keep it, and the next character
            self._keep(b"\\")
            self._escape = True
            return stop.end()
        self._in_string = False
        self._string_ended()
        return stop.end()

    def _in_structure(self, chunk: bytes, at: int) -> int:
        mark = _STRUCTURE.search(chunk, at)
        if mark is None:
            return len(chunk)
        char = chunk[mark.start()]
        if self._depth == 0 and char != 0x7B:  # not an object: there is no top-level type
            self.done = True
        elif char == 0x22:  # '"'
            self._in_string = True
            top = self._depth == 1
            wanted = self._expect == _KEY or (self._expect == _VALUE and self._key == "type")
            self._capture = bytearray() if top and wanted else None
        elif char in (0x7B, 0x5B):  # '{' '['
            self._depth += 1
            if self._depth == 1:
                self._expect = _KEY
        elif char in (0x7D, 0x5D):  # '}' ']'
            self._depth -= 1
            if self._depth == 0:
                self.done = True
            elif self._depth == 1:
                self._expect = _NEXT
        elif self._depth == 1:
            self._expect = _VALUE if char == 0x3A else _KEY  # ':' else ','
        return mark.end()

    def _keep(self, piece: bytes) -> None:
        if self._capture is not None:
            self._capture += piece
            if len(self._capture) > _MAX_TOKEN_BYTES:
                self._capture = None

    def _string_ended(self) -> None:
        if self._depth != 1:
            return
        text = self._text()
        if self._expect == _KEY:
            self._key = text
            self._expect = _COLON
        elif self._expect == _VALUE:
            if self._key == "type" and text is not None:
                self.value = text
                self.done = True
            self._expect = _NEXT

    def _text(self) -> str | None:
        raw, self._capture = self._capture, None
        if raw is None:
            return None
        try:
            decoded = json.loads(b'"' + bytes(raw) + b'"')
        except ValueError:
            return None
        return decoded if isinstance(decoded, str) else None


@dataclass(frozen=True, slots=True)
class StreamedBody:
    """What was read: the body when it fit in the limit (else None), its size, its type."""

    kept: bytes | None
    size: int
    event_type: str | None
    beyond_ceiling: bool = False  # stopped reading: larger than anything accepted
    peak_kept: int = 0  # the most bytes held at once (what the limit bounds)


async def read_streamed(
    receive: Receive, verifier: BodyVerifier, keep_limit: int, ceiling: int
) -> StreamedBody:
    """Read the body to its end (or past ``ceiling`` bytes), every byte into ``verifier``,
    keeping it only while it stays within ``keep_limit``."""
    chunks: list[bytes] = []
    kept = size = 0
    overflowed = False
    scanner = TopLevelType()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > ceiling:
            return StreamedBody(None, size, scanner.value, beyond_ceiling=True, peak_kept=kept)
        verifier.update(chunk)
        if not scanner.done:
            scanner.feed(chunk)
        if not overflowed and kept + len(chunk) <= keep_limit:
            chunks.append(chunk)
            kept += len(chunk)
        elif not overflowed:
            overflowed = True
            chunks.clear()  # too large to decode: let it go, keep hashing
        if not message.get("more_body", False):
            break
    body = None if overflowed else b"".join(chunks)
    return StreamedBody(body, size, scanner.value, peak_kept=kept)
