"""``create_app(container)``: the Litestar application, wired once from the container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from litestar import Litestar, Response, asgi, get
from litestar.exceptions import HTTPException

from domain.errors import DomainError
from entrypoints.container import Container, close_container
from entrypoints.http.auth import Authenticator
from entrypoints.http.envelope import with_request_envelope
from entrypoints.http.errors import (
    JSON,
    HttpError,
    handle_domain_error,
    handle_http_error,
    handle_litestar_error,
    handle_unexpected,
)
from entrypoints.http.handoff import HandoffEndpoint
from entrypoints.http.health import ReadinessChecks, liveness, readiness
from entrypoints.http.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from entrypoints.http.metrics import Metrics
from entrypoints.http.openapi import VERSION, build_openapi, openapi_yaml
from entrypoints.mcp.http import McpEndpoint

YAML = "application/yaml"
HANDOFF_PATH = "/ingest/oa-handoff"


class BridgeApp(Litestar):
    """Litestar with the request envelope (request id, security headers, access log) outside
    everything Litestar does, so even its own 404s get them, and with the hot path
    (``/ingest/oa-handoff``) dispatched straight to its raw ASGI endpoint before Litestar's
    router: the same handler Litestar would route to, without the per-request routing work."""

    def __init__(
        self,
        *args: Any,
        metrics: Metrics,
        fast_routes: dict[str, Any] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self._fast_routes = fast_routes or {}
        self._enveloped = with_request_envelope(self._dispatch, metrics)

    async def _dispatch(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            endpoint = self._fast_routes.get(scope["path"])
            if endpoint is not None:
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._enveloped(scope, receive, send)


def create_app(container: Container) -> Litestar:
    """Build the HTTP app; every collaborator is resolved here, none per request."""
    settings = container.settings()
    endpoint = HandoffEndpoint(
        authenticator=Authenticator(
            settings.auth_token, settings.webhook_secret, settings.hmac_tolerance_seconds
        ),
        rate_limiter=container.rate_limiter(),
        replay_guard=container.replay_guard(),
        idempotency=container.idempotent_runner(),
        handoff=container.oa_handoff(),
        max_body_bytes=settings.max_body_bytes,
    )
    checks = ReadinessChecks(container.health_probes(), settings.readyz_cache_seconds)

    @asgi(HANDOFF_PATH, include_in_schema=False, copy_scope=False)  # it writes log fields
    async def oa_handoff(scope: Any, receive: Any, send: Any) -> None:
        await endpoint(scope, receive, send)  # normally reached through ``fast_routes``

    @get("/healthz", include_in_schema=False, sync_to_thread=False)
    def healthz() -> Response[bytes]:
        return liveness()

    metrics = Metrics(VERSION)

    @get("/metrics", include_in_schema=False, sync_to_thread=False)
    def metrics_text() -> Response[bytes]:
        return Response(metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[bytes]:
        return await readiness(checks)

    schema_json = msgspec.json.encode(build_openapi())
    schema_yaml = openapi_yaml().encode()

    @get(["/schema", "/schema/openapi.json"], include_in_schema=False, sync_to_thread=False)
    def schema() -> Response[bytes]:
        return Response(schema_json, media_type=JSON)

    @get("/schema/openapi.yaml", include_in_schema=False, sync_to_thread=False)
    def schema_as_yaml() -> Response[bytes]:
        return Response(schema_yaml, media_type=YAML)

    # MCP over Streamable HTTP at /mcp; the SDK itself loads on the first MCP request.
    mcp_endpoint = McpEndpoint(container)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await mcp_endpoint.aclose()
            await close_container(container)

    return BridgeApp(
        metrics=metrics,
        fast_routes={HANDOFF_PATH: endpoint},
        route_handlers=[
            oa_handoff,
            healthz,
            readyz,
            metrics_text,
            schema,
            schema_as_yaml,
            mcp_endpoint.route(),
        ],
        exception_handlers={
            HttpError: handle_http_error,
            DomainError: handle_domain_error,
            HTTPException: handle_litestar_error,
            Exception: handle_unexpected,
        },
        request_max_body_size=settings.max_body_bytes,
        openapi_config=None,
        lifespan=[lifespan],
        logging_config=None,
    )
