"""Production server settings for ``helpdesk-bridge serve`` (uvicorn; see docs/PERFORMANCE.md)."""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable, MutableMapping
from types import FrameType
from typing import Any

from entrypoints.bootstrap.container import Container, open_container
from entrypoints.config.settings import Settings

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]  # loose: Litestar's own types are narrower

GRACEFUL_SHUTDOWN_SECONDS = 30
GUARDED_PROTOCOL = "entrypoints.http.server.guarded_protocol:GuardedHttpToolsProtocol"


def server_options(
    settings: Settings, host: str | None, port: int | None, workers: int
) -> dict[str, Any]:
    """uvicorn keyword arguments: uvloop + httptools behind the connection limits
    (``GuardedHttpToolsProtocol``; docs/deployment.md), our own logging, graceful SIGTERM.

    The protocol is named by its import path, so each worker process imports it and reads its
    limits from the same environment as its app factory."""
    return {
        "host": host or settings.host,
        "port": port or settings.port,
        "workers": workers if workers > 1 else None,
        "loop": "uvloop",
        "http": GUARDED_PROTOCOL,
        "timeout_keep_alive": settings.keepalive_timeout_seconds,
        "lifespan": "on",
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def exit_zero_after_sigterm() -> None:
    """Make a SIGTERM end the process with status 0 once uvicorn has shut down gracefully.

    uvicorn takes SIGTERM over while serving (stop accepting, finish in-flight requests), then
    restores the previous handler and raises the signal again; with the default handler the
    process would die of the signal (status -15 / 143) after a perfectly clean shutdown. With
    this handler the re-raised signal exits 0, and a SIGTERM during start-up exits 0 at once.
    """
    signal.signal(signal.SIGTERM, _exit_cleanly)


def opened_at_startup(settings: Settings, build: Callable[[Container], ASGIApp]) -> ASGIApp:
    """The ASGI app a server process runs: at its lifespan start-up, inside the worker's own
    event loop, it opens the container (``open_container``: the Redis pool, a helpdesk's HTTP
    client) and builds the app on it with ``build``; every event then goes to that app, whose
    own lifespan closes the container at shutdown. uvicorn calls its app factory synchronously,
    so the factory cannot await the opening: hence this step, which needs ``lifespan="on"``."""
    app: ASGIApp | None = None

    async def serve(scope: Scope, receive: Receive, send: Any) -> None:
        nonlocal app
        if app is None:
            if scope["type"] != "lifespan":
                raise RuntimeError("the app opens its clients at lifespan start-up: lifespan='on'")
            startup = await receive()
            app = build(await open_container(settings))
            replayed = False

            async def replay() -> Any:
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return startup

            await app(scope, replay, send)
            return
        await app(scope, receive, send)

    return serve
