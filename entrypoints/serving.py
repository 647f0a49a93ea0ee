"""Production server settings for ``helpdesk-bridge serve`` (uvicorn; see docs/PERFORMANCE.md)."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from entrypoints.settings import Settings

GRACEFUL_SHUTDOWN_SECONDS = 30


def server_options(
    settings: Settings, host: str | None, port: int | None, workers: int
) -> dict[str, Any]:
    """uvicorn keyword arguments: uvloop + httptools, our own logging, graceful SIGTERM."""
    return {
        "host": host or settings.host,
        "port": port or settings.port,
        "workers": workers if workers > 1 else None,
        "loop": "uvloop",
        "http": "httptools",
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
