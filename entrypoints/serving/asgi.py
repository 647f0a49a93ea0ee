"""The ASGI factory uvicorn imports in each worker: settings, logging, container, app."""

from __future__ import annotations

import structlog

from entrypoints.bootstrap.logging import configure_logging
from entrypoints.config.settings import ConfigError, load_settings, read_environment
from entrypoints.config.tenants import read_tenants
from entrypoints.http.server.connection_limits import process_limits
from entrypoints.service.app import service_app
from entrypoints.serving.process import ASGIApp, opened_at_startup


def app_from_environment() -> ASGIApp:
    """Build the app from the environment (``serve`` has already validated it once); its
    container opens at lifespan start-up, in the worker's event loop.

    A worker started later - uvicorn's supervisor replaces every worker on SIGHUP, and reads
    the ``*_FILE`` secrets again - may find a bad file: it says why in one JSON line and exits,
    and the supervisor keeps the old worker (docs/deployment.md)."""
    try:
        settings = load_settings()
        tenants = read_tenants(read_environment(), settings) if settings.tenants_file else ()
    except ConfigError as error:
        configure_logging()
        structlog.get_logger("helpdesk_bridge").error("config.invalid", reason=str(error))
        raise SystemExit(1) from None
    configure_logging(settings.log_level, settings.log_format)
    process_limits()  # the connection limits of this worker, fitted and logged before it serves
    log = structlog.get_logger("helpdesk_bridge")
    if tenants:  # one app per tenant behind a dispatcher (docs/configuration.md, "Tenants")
        from entrypoints.tenancy.front import tenants_app  # a one-tenant service never loads it

        log.info("service.starting", tenants=[tenant.name for tenant in tenants])
        return tenants_app(settings, tenants)
    app = opened_at_startup(settings, service_app)
    log.info(
        "service.starting",
        helpdesk_backend=settings.helpdesk_backend,
        store_backend=settings.store_backend,
    )
    return app
