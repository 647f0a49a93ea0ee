"""The guarded httptools protocol on an in-memory transport: head and body deadlines, the head
budget, the connection cap - and a check that the uvicorn internals it extends are still the
ones it was written against (``pyproject.toml`` pins the range; a new uvicorn fails here first).

Deadlines are fractions of a second here; the e2e suite shows the defaults on a real socket.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from entrypoints.http.server.connection_limits import (
    EVICT_AFTER_SECONDS,
    ConnectionLimits,
)
from entrypoints.http.server.guarded_protocol import GuardedHttpToolsProtocol

DEADLINE = 0.15
LIMITS = ConnectionLimits(
    header_timeout=DEADLINE,
    body_timeout=DEADLINE,
    max_header_bytes=1_024,
    max_header_fields=10,
    max_connections=2,
)
REQUEST = b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok"

# What guarded_protocol.py extends or re-states, as written in uvicorn 0.54 (sha256 of the source).
UVICORN_INTERNALS = {
    "__init__": "4f08999410347141",
    "connection_made": "6efb565ff3d36b91",
    "connection_lost": "c91a4c9bf2e29c55",
    "data_received": "010a7ae59a5d3b1a",
    "on_url": "37be44e962b04ca8",
    "on_header": "65d62c044f61fdbd",
    "on_headers_complete": "1ea8589acfad92d8",
    "on_message_complete": "1fbad42dc31fc01f",
    "on_response_complete": "64e254f28e389e76",
    "send_400_response": "ae5a4a3782b646fd",
    "_unset_keepalive_if_required": "00a6a4e47214e68e",
    "handle_websocket_upgrade": "179c4f769386ab89",
    "_should_upgrade": "8fcad1ab8e096739",
    "_unsupported_upgrade_warning": "55bbd2762b189d9a",
}


@pytest.mark.parametrize(("method", "digest"), UVICORN_INTERNALS.items())
def test_the_uvicorn_internals_it_extends_are_unchanged(method, digest):
    source = inspect.getsource(getattr(HttpToolsProtocol, method))
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == digest, (
        f"uvicorn's HttpToolsProtocol.{method} changed: re-check guarded_protocol.py against it, "
        "then update this digest and the uvicorn range in pyproject.toml"
    )


class Guarded(GuardedHttpToolsProtocol):
    limits: ClassVar[ConnectionLimits | None] = LIMITS


class Patient(GuardedHttpToolsProtocol):
    """Deadlines longer than the eviction age, so only the cap closes a connection."""

    limits: ClassVar[ConnectionLimits | None] = ConnectionLimits(
        header_timeout=5.0, body_timeout=5.0, max_connections=2
    )


class MemoryTransport(asyncio.Transport):
    """What the protocol writes, whether it closed; closing tells the protocol, as a socket's
    transport does."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False
        self.protocol: Any = None
        self._loop = loop

    def write(self, data: Any) -> None:
        self.written += data

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self.protocol is not None and not self._loop.is_closed():
                self._loop.call_soon(self.protocol.connection_lost, None)

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50_000), "sockname": ("127.0.0.1", 3000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def status(self) -> int | None:
        return int(self.written[9:12]) if self.written.startswith(b"HTTP/1.1 ") else None


async def echo_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def server_state() -> ServerState:
    return ServerState()


@pytest.fixture
def connect(server_state: ServerState) -> Iterator[Any]:
    config = Config(
        app=echo_app, http=Guarded, lifespan="off", log_config=None, timeout_keep_alive=DEADLINE
    )
    config.load()
    opened: list[MemoryTransport] = []

    def open_connection(
        kind: type[GuardedHttpToolsProtocol] = Guarded,
    ) -> tuple[GuardedHttpToolsProtocol, MemoryTransport]:
        loop = asyncio.get_running_loop()
        protocol = kind(config=config, server_state=server_state, app_state={}, _loop=loop)
        transport = MemoryTransport(loop)
        transport.protocol = protocol
        protocol.connection_made(transport)
        opened.append(transport)
        return protocol, transport

    yield open_connection
    for transport in opened:
        transport.close()


async def settle(seconds: float = 0.0) -> None:
    await asyncio.sleep(seconds)
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_request_within_the_limits_is_answered_and_the_connection_kept(connect):
    protocol, transport = connect()
    protocol.data_received(REQUEST)
    await settle()
    assert transport.status() == 200
    assert not transport.closed


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(11)) + b"\r\n",
        b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 2_000 + b"\r\n\r\n",
        b"GET /" + b"q" * 2_000 + b" HTTP/1.1\r\n\r\n",
    ],
    ids=["11 fields", "one 2 KB field", "2 KB URL"],
)
async def test_a_head_past_its_limits_is_answered_431_and_closed(connect, head):
    protocol, transport = connect()
    protocol.data_received(head)
    await settle()
    assert transport.status() == 431
    assert json.loads(transport.written.split(b"\r\n\r\n")[1])["code"] == "HEADERS_TOO_LARGE"
    assert transport.closed


async def test_a_head_that_never_ends_is_cut_off_once_past_the_budget(connect):
    protocol, transport = connect()
    protocol.data_received(b"GET / HTTP/1.1\r\nX-Endless: ")
    fed = 0
    while not transport.closed and fed < 100_000:
        protocol.data_received(b"a" * 100)
        fed += 100
    assert transport.status() == 431
    assert fed <= LIMITS.max_header_bytes


@pytest.mark.parametrize(
    ("sent", "answer"),
    [
        (b"", None),  # nothing at all: closed without a word
        (b"GET / HTTP/1.1\r\nHost: t\r\n", 408),
        (b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 408),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 408),
    ],
    ids=["silent", "head", "short body", "chunked without end"],
)
async def test_a_stalled_request_is_closed_at_its_deadline(connect, sent, answer):
    protocol, transport = connect()
    if sent:
        protocol.data_received(sent)
    await settle(DEADLINE / 2)
    assert not transport.closed
    await settle(DEADLINE)
    assert transport.closed
    assert transport.status() == answer


async def test_trickling_bytes_does_not_move_the_head_deadline(connect):
    protocol, transport = connect()
    protocol.data_received(b"GET / HTTP/1.1\r\n")
    for _ in range(10):
        if transport.closed:
            break
        protocol.data_received(b"X")
        await settle(DEADLINE / 4)
    assert transport.closed
    assert transport.status() == 408


async def test_an_idle_kept_alive_connection_is_closed_without_a_word(connect):
    protocol, transport = connect()
    protocol.data_received(REQUEST)
    await settle()
    answered = bytes(transport.written)
    await settle(DEADLINE * 1.5)
    assert transport.closed
    assert transport.written == answered  # nothing after the answer: no 408 for an idle one


async def test_the_head_deadline_counts_again_from_each_answer(connect):
    protocol, transport = connect()
    for _ in range(3):  # three requests, each well inside one deadline
        await settle(DEADLINE * 0.6)
        transport.written.clear()
        protocol.data_received(REQUEST)
        await settle()
        assert transport.status() == 200
    transport.written.clear()
    protocol.data_received(b"GET / HTTP/1.1\r\n")  # then a head that stalls
    await settle(DEADLINE * 1.5)
    assert transport.closed
    assert transport.status() == 408


async def test_past_the_cap_the_longest_waiting_gives_way_else_the_newcomer_is_refused(connect):
    first, first_transport = connect(Patient)
    _second, second_transport = connect(Patient)
    _third, third_transport = connect(Patient)  # both others just arrived: nobody to evict
    assert third_transport.status() == 503
    assert third_transport.closed
    await settle(EVICT_AFTER_SECONDS + 0.01)
    fourth, fourth_transport = connect(Patient)  # the first has waited long enough: it goes
    assert first_transport.closed
    assert first_transport.written == b""
    assert not second_transport.closed
    fourth.data_received(REQUEST)
    await settle()
    assert fourth_transport.status() == 200
    assert first.transport is first_transport
