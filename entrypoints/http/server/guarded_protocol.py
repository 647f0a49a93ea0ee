"""uvicorn's httptools protocol with the limits a server facing the internet needs.

uvicorn with httptools bounds none of these (docs/deployment.md, "Hostile clients"): its
keep-alive timer is cancelled by the first byte of a request and never re-armed until an answer,
so a client trickling a header byte a second holds its connection for ever; httptools buffers a
header of any size; ``--limit-concurrency`` answers 503 only once the headers are complete.
This subclass adds, per connection:

- **deadlines**: the request's head must arrive within ``header_timeout`` of the connection (or
  of the previous answer), its body within ``body_timeout`` of the head, and a kept-alive
  connection that sends nothing is closed ``timeout_keep_alive`` after its last answer. One
  timer per connection, which re-arms itself when it fires before the current deadline: moving
  a deadline is an assignment, so a request costs no timer (uvicorn's own keep-alive timer, one
  per answer, is not used);
- a **head budget**: the bytes received while the head is incomplete, and the request line plus
  every header field as parsed (size and count), answered 431 and closed past the limits, so a
  connection's memory stays bounded whatever it sends;
- a **cap** on open connections: past it, the connection that has waited longest for a request
  (an idle kept-alive one, or a slow one) gives its place to the newcomer, if it has waited
  ``EVICT_AFTER_SECONDS``; otherwise the newcomer is answered 503 at once and closed.

Private parts of uvicorn are extended or re-stated (``data_received`` and
``on_response_complete`` in full, the parser callbacks): ``pyproject.toml`` pins the uvicorn
range this was checked against, and ``tests/unit/entrypoints/http/test_guarded_protocol.py`` fails
if those parts change.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from entrypoints.http.server.connection_limits import (
    BODY_TIMEOUT,
    BUSY,
    EVICT_AFTER_SECONDS,
    HEAD_TIMEOUT,
    ConnectionLimits,
    RefusalLog,
    process_limits,
    too_large,
)

_IDLE, _HEAD, _BODY, _APP = 0, 1, 2, 3
"""Kept alive with nothing received yet; receiving a head; receiving a body; with the app."""

Room = dict["GuardedHttpToolsProtocol", float]
"""The connections of one server waiting for a request (idle or in its head), oldest first:
a dict keeps insertion order, and a connection leaves it whenever its head completes."""
_ROOMS: WeakKeyDictionary[ServerState, Room] = WeakKeyDictionary()
_LOG = RefusalLog()


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing a head past its limits."""


def _evict_oldest(room: Room, now: float) -> bool:
    """Close the connection that has waited longest for a request, if it waited long enough."""
    for victim, since in room.items():
        if now - since < EVICT_AFTER_SECONDS:
            return False
        victim.evict()
        return True
    return False


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """The HTTP/1.1 protocol ``serve`` runs (``http=`` in ``serving.server_options``)."""

    limits: ClassVar[ConnectionLimits | None] = None
    """Set on a subclass to serve with explicit limits (tests); else the process's settings."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = type(self).limits or process_limits()
        self._limits = limits
        self._header_timeout = limits.header_timeout
        self._body_timeout = limits.body_timeout
        self._max_head = limits.max_header_bytes
        self._max_fields = limits.max_header_fields
        room = _ROOMS.get(server_state)
        if room is None:
            room = _ROOMS[server_state] = {}
        self._room = room
        self._admitted = False
        self._phase = _HEAD
        self._waiting_since = 0.0  # the connection, or the last answer
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._in_head = True
        self._head_bytes = 0  # received while the head is incomplete
        self._head_size = 0  # the request line and fields as parsed
        self._head_fields = 0

    # -- connections ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        now = self.loop.time()
        if len(self.connections) >= self._limits.max_connections and not _evict_oldest(
            self._room, now
        ):
            transport.write(BUSY)
            transport.close()
            _LOG.refused("busy", open_connections=len(self.connections))
            return
        self._admitted = True
        super().connection_made(transport)
        self._waiting_since = now
        self._room[self] = now
        self._expect(now + self._header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._admitted:
            return
        self._room.pop(self, None)
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)

    def evict(self) -> None:
        """Give this connection's place to a newcomer (it is waiting for a request)."""
        self._room.pop(self, None)
        self._deadline = None
        _LOG.refused("evicted", waited_for="request" if self._phase == _IDLE else "head")
        if not self.transport.is_closing():
            self.transport.close()

    # -- deadlines --------------------------------------------------------------------------

    def _expect(self, deadline: float) -> None:
        self._deadline = deadline
        if self._timer is None or deadline < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = deadline
            self._timer = self.loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        deadline = self._deadline
        if deadline is None or self.transport.is_closing():
            return
        if self.loop.time() < deadline:  # the deadline moved on since the timer was set
            self._timer_at = deadline
            self._timer = self.loop.call_at(deadline, self._on_timer)
            return
        phase = self._phase
        if phase == _IDLE:  # a kept-alive connection nobody used: closed without a word
            self._close_with(None)
        elif phase == _HEAD:
            _LOG.refused("head_timeout", bytes_received=self._head_bytes)
            self._close_with(HEAD_TIMEOUT if self._head_bytes else None)
        elif phase == _BODY:
            _LOG.refused("body_timeout")
            unanswered = self.cycle is not None and not self.cycle.response_started
            self._close_with(BODY_TIMEOUT if unanswered else None)

    def _close_with(self, answer: bytes | None) -> None:
        self._room.pop(self, None)
        self._deadline = None
        if answer is not None:
            self.transport.write(answer)
        self.transport.close()

    # -- parsing ----------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        """uvicorn's ``data_received`` with the head budget around the parse (and no keep-alive
        timer to cancel: the deadlines replace it)."""
        if self._in_head:
            self._head_bytes += len(data)
            if self._phase == _IDLE:  # the next request begins: its head is due
                self._phase = _HEAD
                self._expect(self._waiting_since + self._header_timeout)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self._refusing():
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        if self._in_head:
            if self._head_bytes > self._max_head:
                self._refusing(force=True)
        elif self._phase == _BODY and self._deadline is None:  # a body still to come: now due
            self._expect(self.loop.time() + self._body_timeout)

    def _refusing(self, *, force: bool = False) -> bool:
        if (
            not force
            and self._head_size <= self._max_head
            and self._head_fields <= self._max_fields
        ):
            return False
        _LOG.refused(
            "headers_too_large",
            header_bytes=max(self._head_size, self._head_bytes),
            header_fields=self._head_fields,
        )
        self._close_with(too_large(self._limits))
        return True

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        if self._head_size > self._max_head:
            raise _Refused
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        """Counted, then uvicorn's ``on_header`` (re-stated: it is called per header)."""
        self._head_fields += 1
        self._head_size += len(name) + len(value) + 4
        if self._head_size > self._max_head or self._head_fields > self._max_fields:
            raise _Refused
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        # The body's deadline is set once this chunk is parsed, if the body did not come with it
        # (``data_received``): most requests arrive whole in one chunk and never need it.
        self._in_head = False
        self._room.pop(self, None)
        self._phase = _BODY
        self._deadline = None
        HttpToolsProtocol.on_headers_complete(self)

    def on_message_complete(self) -> None:
        HttpToolsProtocol.on_message_complete(self)
        self._in_head = True
        self._head_bytes = self._head_size = self._head_fields = 0
        if self.cycle.response_complete:  # answered before its body ended (e.g. 413)
            self._await_request()
        else:
            self._phase = _APP
            self._deadline = None

    def on_response_complete(self) -> None:
        """uvicorn's, with the idle deadline instead of its keep-alive timer."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
        elif self._phase == _APP:  # the body is in (else its own deadline still runs)
            self._await_request()

    def _await_request(self) -> None:
        """Idle until the next request; its head is due ``header_timeout`` from now."""
        now = self.loop.time()
        self._phase = _IDLE
        self._waiting_since = now
        self._room[self] = now
        deadline = self._deadline = now + self.timeout_keep_alive
        if self._timer is None or deadline < self._timer_at:
            self._expect(deadline)
