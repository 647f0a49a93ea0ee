"""What one server process allows a connection: the limits, the cap that fits the file limit, the
answers the server writes itself, and one throttled log line per kind of refusal.

The guarded protocol (``guarded_protocol.py``) enforces these below the ASGI app, where a client
that never finishes its headers is still visible; this module holds what it needs and nothing
of uvicorn, so the numbers can be read and tested on their own.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from functools import cache

import msgspec
import structlog

from entrypoints.config.settings import ConfigError, Settings, load_settings, read_environment
from entrypoints.config.tenants import read_tenants
from entrypoints.wire.error_codes import RETRY_AFTER_SECONDS

FD_BASE_RESERVE = 40
"""Descriptors an idle ``serve`` process holds besides client sockets (measured: 19 - the
listening socket, stdio, the event loop's, the outbox's SQLite files), with room to spare."""
HELPDESK_POOL = {"mock": 0, "zendesk": 50, "rt": 20}
"""The helpdesk client's connection pool per backend (``adapters/helpdesk``)."""
EVICT_AFTER_SECONDS = 0.25
"""At the cap, a connection that has waited this long for its request's head gives its place to
a newcomer: a real client sends its head at once, a slow one loses its place first."""
MIN_CONNECTIONS = 8


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """The limits of one process; ``max_connections`` is already fitted to its file limit."""

    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_header_bytes: int = 16_384
    max_header_fields: int = 100
    max_connections: int = 1_000


def fd_reserve(settings: Settings) -> int:
    """Descriptors kept for everything but client connections: the base, the Redis pool, the
    helpdesk client's pool."""
    redis = settings.redis.max_connections if settings.store_backend == "redis" else 0
    return FD_BASE_RESERVE + redis + HELPDESK_POOL.get(settings.helpdesk_backend, 50)


def fitted_cap(wanted: int, reserve: int) -> int:
    """``wanted`` connections, or fewer if the process's file limit (RLIMIT_NOFILE) cannot hold
    them plus ``reserve``. The soft limit is raised toward the hard one first, as far as needed:
    a connection refused at once is better than an ``accept`` failing with EMFILE, which refuses
    everyone, hand-offs included."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + reserve
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        if target > soft:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft = target
            except (ValueError, OSError):  # pragma: no cover - a platform that refuses
                pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(MIN_CONNECTIONS, min(wanted, soft - reserve))


def limits_for(settings: Settings, reserve: int | None = None) -> ConnectionLimits:
    """The process's limits from its settings (the cap fitted to its file limit, keeping
    ``reserve`` descriptors - by default ``fd_reserve(settings)`` - for everything else)."""
    kept = fd_reserve(settings) if reserve is None else reserve
    return ConnectionLimits(
        header_timeout=settings.header_timeout_seconds,
        body_timeout=settings.body_timeout_seconds,
        max_header_bytes=settings.max_header_bytes,
        max_header_fields=settings.max_header_fields,
        max_connections=fitted_cap(settings.max_connections, kept),
    )


def tenant_reserve(settings: Settings) -> int:
    """``fd_reserve`` for the process as configured: with a tenants file each tenant has its
    own Redis pool and helpdesk client, so each tenant's pools are kept (the tenants at
    start-up; one added by SIGHUP later is not counted). A tenants file that does not read
    keeps the single reserve: start-up reports the file's problem itself."""
    if not settings.tenants_file:
        return fd_reserve(settings)
    try:
        tenants = read_tenants(read_environment(), settings)
    except ConfigError:
        return fd_reserve(settings)
    return FD_BASE_RESERVE + sum(fd_reserve(t.settings) - FD_BASE_RESERVE for t in tenants)


@cache
def process_limits() -> ConnectionLimits:
    """The limits of this worker, from the environment as its app factory reads it (``serve``
    has checked it already), computed once and logged once."""
    settings = load_settings(require_auth=False)
    limits = limits_for(settings, tenant_reserve(settings))
    structlog.get_logger("helpdesk_bridge.http").info(
        "http.limits",
        header_timeout_seconds=limits.header_timeout,
        body_timeout_seconds=limits.body_timeout,
        keepalive_timeout_seconds=settings.keepalive_timeout_seconds,
        max_header_bytes=limits.max_header_bytes,
        max_header_fields=limits.max_header_fields,
        max_connections=limits.max_connections,
        max_connections_setting=settings.max_connections,
        file_limit=resource.getrlimit(resource.RLIMIT_NOFILE)[0],
    )
    return limits


class _Envelope(msgspec.Struct, frozen=True, omit_defaults=True, rename="camel"):
    status: str
    code: str
    message: str
    retry_after: int | None = None


def raw_answer(status: int, code: str, message: str) -> bytes:
    """A whole HTTP/1.1 answer in the service's error envelope, closing the connection: what the
    server writes when no request reached the app (or the app can no longer be asked)."""
    pause = RETRY_AFTER_SECONDS.get(code)
    body = msgspec.json.encode(_Envelope("error", code, message, pause))
    reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}.get(
        status, b"Service Unavailable"
    )
    head = [
        b"HTTP/1.1 %d %s" % (status, reason),
        b"content-type: application/json",
        b"content-length: %d" % len(body),
        b"x-content-type-options: nosniff",
        b"connection: close",
    ]
    if pause is not None:
        head.append(b"retry-after: %d" % pause)
    return b"\r\n".join(head) + b"\r\n\r\n" + body


HEAD_TIMEOUT = raw_answer(408, "REQUEST_TIMEOUT", "The request's headers did not arrive in time")
BODY_TIMEOUT = raw_answer(408, "REQUEST_TIMEOUT", "The request's body did not arrive in time")
BUSY = raw_answer(503, "SERVER_BUSY", "Too many open connections: retry shortly")


def too_large(limits: ConnectionLimits) -> bytes:
    """The 431 answer naming both limits."""
    return raw_answer(
        431,
        "HEADERS_TOO_LARGE",
        f"Request headers exceed {limits.max_header_bytes} bytes or "
        f"{limits.max_header_fields} fields",
    )


class RefusalLog:
    """One ``http.refused`` line per refusal, at most ``per_second`` a second per reason; the next
    line written says how many were left out meanwhile (``suppressed``). A flood of slow or
    oversized clients is visible in the log without the log becoming the flood."""

    def __init__(self, per_second: int = 5) -> None:
        self._per_second = per_second
        self._window: dict[str, tuple[int, int, int]] = {}  # reason -> (second, written, left out)
        self._log = structlog.get_logger("helpdesk_bridge.http")

    def refused(self, reason: str, **fields: object) -> None:
        second = int(time.monotonic())
        window, written, left_out = self._window.get(reason, (second, 0, 0))
        if window != second:
            window, written = second, 0
        if written >= self._per_second:
            self._window[reason] = (window, written, left_out + 1)
            return
        self._window[reason] = (window, written + 1, 0)
        if left_out:
            fields["suppressed"] = left_out
        self._log.warning("http.refused", reason=reason, **fields)
