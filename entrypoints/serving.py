"""Production server settings for ``helpdesk-bridge serve`` (uvicorn; see docs/PERFORMANCE.md)."""

from __future__ import annotations

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
