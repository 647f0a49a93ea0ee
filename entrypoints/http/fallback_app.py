"""The Litestar app behind the edge's route table (the probes, ``/metrics``, ``/schema`` and any
path the table does not know), built alike for the one-tenant app and the tenants' front: the
envelope's exception handlers, no OpenAPI routes of Litestar's own (``/schema`` is ours), no
logging config of its own (structlog's is the process's)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler

from domain.errors import DomainError
from entrypoints.asgi.envelope import handle_domain_error, handle_litestar_error, handle_unexpected
from entrypoints.config.settings import Settings
from entrypoints.http.routes.schema import schema_routes

Lifespan = Callable[[Litestar], AbstractAsyncContextManager[None]]


def fallback_app(
    handlers: Sequence[HTTPRouteHandler], settings: Settings, lifespan: Lifespan
) -> Litestar:
    """``handlers`` and the ``/schema`` routes for ``settings``, under ``lifespan``."""
    return Litestar(
        route_handlers=[*handlers, *schema_routes(settings)],
        exception_handlers={
            DomainError: handle_domain_error,
            HTTPException: handle_litestar_error,
            Exception: handle_unexpected,
        },
        request_max_body_size=settings.max_body_bytes,
        openapi_config=None,
        lifespan=[lifespan],
        logging_config=None,
    )
