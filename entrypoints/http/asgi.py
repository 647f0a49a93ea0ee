"""The ASGI factory uvicorn imports in each worker: settings, logging, container, app."""

from __future__ import annotations

import structlog

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.edge import Edge
from entrypoints.logging import configure_logging
from entrypoints.settings import load_settings


def app_from_environment() -> Edge:
    """Build the app from the environment (``serve`` has already validated it once)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(build_container(settings))
    structlog.get_logger("helpdesk_bridge").info(
        "service.starting",
        helpdesk_backend=settings.helpdesk_backend,
        store_backend=settings.store_backend,
    )
    return app
