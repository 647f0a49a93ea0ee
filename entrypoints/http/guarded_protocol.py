"""uvicorn's httptools protocol with the limits a server facing the internet needs.

uvicorn with httptools bounds none of these (docs/deployment.md, "Hostile clients"): its
keep-alive timer is cancelled by the first byte of a request and never re-armed until an answer,
so a client trickling a header byte a second holds its connection for ever; httptools buffers a
header of any size; ``--limit-concurrency`` answers 503 only once the headers are complete.
This subclass adds, per connection:

- a **deadline** for the request's head (from the connection, or from the previous answer on a
  kept-alive connection) and then for its body; one timer per connection, re-armed only when it
  fires early (moving a deadline is an assignment, not a new timer, on every request);
- a **head budget**: the bytes received while the head is incomplete, and the request line plus
  every header field as parsed (size and count), answered 431 and closed past the limits, so a
  connection's memory stays bounded whatever it sends;
- a **cap** on open connections: past it, the connection that has waited longest for its head
  (an idle kept-alive one, or a slow one) gives its place to the newcomer, and if none has, the
  newcomer is answered 503 at once and closed.

Private parts of uvicorn are used (``data_received``'s body is re-stated, the parser callbacks are
extended): ``pyproject.toml`` pins the uvicorn range this was checked against, and
``tests/unit/test_guarded_protocol.py`` fails if those parts change.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from entrypoints.http.connection_limits import (
    BODY_TIMEOUT,
    BUSY,
    EVICT_AFTER_SECONDS,
    HEAD_TIMEOUT,
    ConnectionLimits,
    RefusalLog,
    process_limits,
    too_large,
)

_HEAD, _BODY, _APP = 0, 1, 2
"""Waiting for a request's head, for its body, or for the app's answer (no deadline)."""


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing a head past its limits."""


class _Waiting:
    """The connections of one server waiting for a request's head, oldest first."""

    def __init__(self) -> None:
        self.since: OrderedDict[GuardedHttpToolsProtocol, float] = OrderedDict()

    def evict_oldest(self, now: float) -> bool:
        """Close the connection that has waited longest, if it has waited long enough."""
        for victim, since in self.since.items():
            if now - since < EVICT_AFTER_SECONDS:
                return False
            victim.evict()
            return True
        return False


_ROOMS: WeakKeyDictionary[ServerState, _Waiting] = WeakKeyDictionary()
_LOG = RefusalLog()


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
        self._limits = type(self).limits or process_limits()
        room = _ROOMS.get(server_state)
        if room is None:
            room = _ROOMS[server_state] = _Waiting()
        self._room = room
        self._admitted = False
        self._phase = _HEAD
        self._deadline: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._in_head = True
        self._head_bytes = 0  # received while the head is incomplete
        self._head_size = 0  # the request line and fields as parsed
        self._head_fields = 0

    # -- connections ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self._limits.max_connections and not self._room.evict_oldest(
            self.loop.time()
        ):
            transport.write(BUSY)
            transport.close()
            _LOG.refused("busy", open_connections=len(self.connections))
            return
        self._admitted = True
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._admitted:
            return
        self._room.since.pop(self, None)
        self._deadline = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)

    def evict(self) -> None:
        """Give this connection's place to a newcomer (it is waiting for a request's head)."""
        self._room.since.pop(self, None)
        self._deadline = None
        _LOG.refused("evicted", waited_for="head")
        if not self.transport.is_closing():
            self.transport.close()

    # -- deadlines --------------------------------------------------------------------------

    def _await_head(self) -> None:
        now = self.loop.time()
        self._phase = _HEAD
        self._room.since[self] = now
        self._room.since.move_to_end(self)
        self._expect(now + self._limits.header_timeout)

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
        if self._phase == _HEAD:
            started = self._head_bytes > 0
            _LOG.refused("head_timeout", bytes_received=self._head_bytes)
            self._close_with(HEAD_TIMEOUT if started else None)
        elif self._phase == _BODY:
            _LOG.refused("body_timeout")
            unanswered = self.cycle is not None and not self.cycle.response_started
            self._close_with(BODY_TIMEOUT if unanswered else None)

    def _close_with(self, answer: bytes | None) -> None:
        self._room.since.pop(self, None)
        self._deadline = None
        if answer is not None:
            self.transport.write(answer)
        self.transport.close()

    # -- parsing ----------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        """uvicorn's ``data_received`` with the head budget around the parse."""
        if self._in_head:
            self._head_bytes += len(data)
        self._unset_keepalive_if_required()
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
        if self._in_head and self._head_bytes > self._limits.max_header_bytes:
            self._refusing(force=True)

    def _refusing(self, *, force: bool = False) -> bool:
        limits = self._limits
        if not force and not (
            self._head_size > limits.max_header_bytes
            or self._head_fields > limits.max_header_fields
        ):
            return False
        _LOG.refused(
            "headers_too_large",
            header_bytes=max(self._head_size, self._head_bytes),
            header_fields=self._head_fields,
        )
        self._close_with(too_large(limits))
        return True

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        if self._head_size > self._limits.max_header_bytes:
            raise _Refused
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_fields += 1
        self._head_size += len(name) + len(value) + 4
        limits = self._limits
        if (
            self._head_size > limits.max_header_bytes
            or self._head_fields > limits.max_header_fields
        ):
            raise _Refused
        HttpToolsProtocol.on_header(self, name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._room.since.pop(self, None)
        self._phase = _BODY
        self._expect(self.loop.time() + self._limits.body_timeout)
        HttpToolsProtocol.on_headers_complete(self)

    def on_message_complete(self) -> None:
        HttpToolsProtocol.on_message_complete(self)
        self._in_head = True
        self._head_bytes = self._head_size = self._head_fields = 0
        if self.cycle.response_complete:  # answered before its body ended (e.g. 413): next head
            self._await_head()
        else:
            self._phase = _APP
            self._deadline = None

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)
        HttpToolsProtocol.on_response_complete(self)
        if self._phase == _APP and not pipelined and not self.transport.is_closing():
            self._await_head()
