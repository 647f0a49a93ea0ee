"""The stdio transport of ``helpdesk-bridge mcp``: one JSON-RPC message per line, every line
answered.

The SDK's own stdio transport hands a line it cannot parse to the session as an exception, which
the session drops: the client hears nothing and waits for ever, and nothing is logged. Here every
line goes through ``messages.parse_message``: one that is not JSON is answered ``-32700`` (parse
error); JSON that is no JSON-RPC message, that nests too deep, or a line longer than
``MAX_LINE_BYTES``, ``-32600`` (invalid request, with the request's id when it has one, even
for an overlong line when the id leads it); each
with one log line on stderr that says why and how long the line was, never what it held. The
session goes on.

stdin and stdout are claimed as the SDK claims them: the protocol is served on private
duplicates while fd 0 reads the null device and fd 1 writes to stderr, so a stray ``print`` in
a library cannot corrupt the protocol.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, JSONRPCError

from entrypoints.mcp.messages import parse_message, refused

MAX_LINE_BYTES = 4_194_304
"""The longest message line read whole (4 MiB: a tool call with every argument at its limit is
far smaller); a longer one is read past in pieces and refused."""
_CHUNK = 65_536
_LEADING_ID = re.compile(
    rb'^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,18}|"[^"\\]{0,128}")'
)


@dataclass(frozen=True, slots=True)
class Overlong:
    """A line longer than the limit: its length, and its first bytes (to find the request id)."""

    size: int
    head: bytes


def read_lines(source: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes | Overlong]:
    """Each line of ``source`` (without its end), or an ``Overlong`` for a line longer than
    ``limit``, which is read past in pieces so no more than ``limit`` bytes are ever held."""
    while True:
        line = source.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line.rstrip(b"\r\n")
            continue
        head, size = line[:256], len(line)
        while not line.endswith(b"\n"):
            line = source.readline(_CHUNK)
            if not line:
                break
            size += len(line)
        yield Overlong(size, head)


def leading_id(head: bytes) -> str | int | None:
    """The id of a message that starts ``{"jsonrpc":"2.0","id":...`` (as clients write them),
    read from its first bytes alone: an overlong request still gets an answer its client can
    match."""
    match = _LEADING_ID.match(head)
    if match is None:
        return None
    found = match.group(1)
    return found[1:-1].decode("utf-8", "replace") if found.startswith(b'"') else int(found)


def answer_of(line: bytes | Overlong) -> SessionMessage | JSONRPCError | None:
    """What one item of ``read_lines`` becomes: the message for the session, the error that
    answers it, or nothing (a blank line)."""
    if isinstance(line, Overlong):
        message = f"Invalid request: message longer than {MAX_LINE_BYTES} bytes"
        return refused(INVALID_REQUEST, message, line.size, leading_id(line.head))
    if not line.strip():
        return None
    return parse_message(line)


@contextmanager
def claimed_std_streams() -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """stdin and stdout as private duplicates; meanwhile fd 0 reads /dev/null and fd 1 writes to
    stderr; both are pointed back at the wire on exit. The duplicates are never closed (as in the
    SDK): a reading thread may still block on one after the session ends."""
    sys.stdout.flush()
    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    try:
        yield os.fdopen(wire_in, "rb", closefd=False), os.fdopen(wire_out, "wb", closefd=False)
    finally:
        os.dup2(wire_in, 0)
        os.dup2(wire_out, 1)


@asynccontextmanager
async def stdio_transport(
    source: BinaryIO, sink: BinaryIO
) -> AsyncIterator[
    tuple[MemoryObjectReceiveStream[SessionMessage | Exception], MemoryObjectSendStream[Any]]
]:
    """The (read, write) streams of an MCP session over ``source`` and ``sink`` (stdin and
    stdout), as ``mcp.server.stdio.stdio_server`` gives them, with every bad line answered."""
    to_session, from_transport = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    to_client, outgoing = anyio.create_memory_object_stream[SessionMessage](0)
    answers = to_client.clone()  # the transport's own answers to bad lines

    async def read() -> None:
        async with to_session, answers:
            lines = read_lines(source)
            while True:
                line = await anyio.to_thread.run_sync(_next, lines, abandon_on_cancel=True)
                if line is None:
                    return
                message = answer_of(line)
                if isinstance(message, SessionMessage):
                    await to_session.send(message)
                elif message is not None:
                    await answers.send(SessionMessage(message))

    async def write() -> None:
        async with outgoing:
            async for session_message in outgoing:
                text = session_message.message.model_dump_json(by_alias=True, exclude_unset=True)
                await anyio.to_thread.run_sync(_write_line, sink, text.encode() + b"\n")

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(read)
        tasks.start_soon(write)
        try:
            yield from_transport, to_client
        finally:
            await to_client.aclose()  # the writer ends once it has written what it was given
            tasks.cancel_scope.cancel()  # a reader still waiting on a line is abandoned


def _next(lines: Iterator[bytes | Overlong]) -> bytes | Overlong | None:
    return next(lines, None)


def _write_line(sink: BinaryIO, data: bytes) -> None:
    sink.write(data)
    sink.flush()
