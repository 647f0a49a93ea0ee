"""``create_app(container)``: the edge (route table, gate, envelope) and its routes, wired once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar, Response, get

from application.errors import StoreUnavailable
from entrypoints.asgi.auth import AuthReload, AuthSecrets, BearerAuth, WebhookAuth
from entrypoints.asgi.gate import Gate
from entrypoints.bootstrap.container import Container, close_container
from entrypoints.bootstrap.helpdesk_setup import report_helpdesk_setup
from entrypoints.bootstrap.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from entrypoints.bootstrap.metrics import Metrics
from entrypoints.config.reload import Holder, Reloader
from entrypoints.config.speech import SayTemplates
from entrypoints.http.edge import Edge, Route, RouteTable, asgi_endpoint
from entrypoints.http.fallback_app import fallback_app
from entrypoints.http.openapi.document import VERSION
from entrypoints.http.post_call.route import PostCallRoute
from entrypoints.http.post_call.signature import (
    PostCallSecretReload,
    PostCallSignature,
    post_call_secrets,
)
from entrypoints.http.routes.handoff import HandoffRoute
from entrypoints.http.routes.handoff_status import HandoffStatusRoute
from entrypoints.http.routes.health import ReadinessChecks, liveness, readiness
from entrypoints.http.routes.ticket_status import PATH as TICKET_STATUS_PATH
from entrypoints.http.routes.ticket_status import TicketStatusRoute
from entrypoints.mcp.http import McpEndpoint
from entrypoints.workers.delivery import DeliveryWorker, warn_if_queued_hand_offs_are_not_durable

HANDOFF_PATH = "/ingest/oa-handoff"
POST_CALL_PATH = "/ingest/elevenlabs/post-call"
HANDOFFS_PATH = "/handoffs"
MCP_PATH = "/mcp"


@dataclass(frozen=True)
class TenantWiring:
    """What a tenant's app takes from the tenants' front (entrypoints/tenancy/front.py)
    instead of making it: the secrets its tenant's entry of the tenants file admits (the
    webhook's and ``/mcp``'s, the post-call webhook's; swapped by the tenants' reload, which
    replaces this app's own SIGHUP reload), and its metrics, labelled with the tenant's name
    and rendered by the front's one ``/metrics``."""

    secrets: Holder[AuthSecrets]
    post_call_secrets: Holder[tuple[str, ...]]
    metrics: Metrics


def create_app(container: Container, tenant: TenantWiring | None = None) -> Edge:
    """Build the edge and its routes; every collaborator is resolved here, none per request.

    ``tenant``: one tenant's app behind the tenants' front; without it (no TENANTS_FILE) the app
    is the whole service, its secrets from the settings and reloaded on SIGHUP by itself."""
    settings = container.settings()
    limiter = container.rate_limiter()
    reloader: Reloader | None = None
    if tenant is None:
        secrets = Holder(AuthSecrets.from_settings(settings))  # SIGHUP swaps it (reload.py)
        post_call_secret = Holder(post_call_secrets(settings))
        reloader = Reloader(
            settings,
            [
                AuthReload(secrets),
                PostCallSecretReload(post_call_secret),
                *container.helpdesk_reloadables(),
            ],
        )
        metrics = Metrics(VERSION)
    else:
        secrets, post_call_secret = tenant.secrets, tenant.post_call_secrets
        metrics = tenant.metrics
    webhook_gate = Gate(
        WebhookAuth(secrets, settings.hmac_tolerance_seconds, container.clock()),
        limiter,
        container.replay_guard(),
    )
    worker = DeliveryWorker(
        container.outbox(), container.deliver_handoff().execute, container.clock(), metrics
    )
    handoff = HandoffRoute(
        gate=webhook_gate,
        idempotency=container.idempotent_runner(),
        handoff=container.oa_handoff(),
        max_body_bytes=settings.max_body_bytes,
        clock=container.clock(),
        deadline_seconds=settings.handoff_deadline_seconds,
        on_queued=worker.nudge,
        say=SayTemplates.from_settings(settings),
        phone_region=settings.phone_region,
    )
    status = HandoffStatusRoute(webhook_gate, container.handoff_status())
    ticket_status = TicketStatusRoute(
        gate=webhook_gate,
        lookup=container.ticket_status(),
        max_body_bytes=settings.max_body_bytes,
        clock=container.clock(),
        deadline_seconds=settings.handoff_deadline_seconds,
    )
    post_call = PostCallRoute(
        PostCallSignature(post_call_secret, container.clock()),
        limiter,
        container.record_call(),
        max_body_bytes=settings.post_call_max_body_bytes,
        clock=container.clock(),
        deadline_seconds=settings.handoff_deadline_seconds,
    )
    # MCP over Streamable HTTP; the SDK itself loads on the first MCP request.
    mcp_endpoint = McpEndpoint(
        container, Gate(BearerAuth(secrets), limiter), has_tokens=bool(secrets.value.tokens)
    )
    checks = ReadinessChecks(container.health_probes(), settings.readyz_cache_seconds)
    framework = _framework_routes(container, checks, metrics, mcp_endpoint, worker, reloader)
    rest = asgi_endpoint(framework)
    routes = RouteTable(
        exact={
            HANDOFF_PATH: Route("handoff", handoff),
            POST_CALL_PATH: Route("post_call", post_call),
            TICKET_STATUS_PATH: Route("ticket_status", ticket_status),
            "/healthz": Route("healthz", rest),
            "/readyz": Route("readyz", rest),
            "/metrics": Route("metrics", rest),
        },
        prefixes={
            MCP_PATH: Route("mcp", mcp_endpoint),
            HANDOFFS_PATH: Route("handoffs", status, HANDOFFS_PATH + "/{reference}"),
            "/schema": Route("schema", rest),
        },
        fallback=Route("other", rest),
    )
    return Edge(routes, framework, metrics)


def _framework_routes(
    container: Container,
    checks: ReadinessChecks,
    metrics: Metrics,
    mcp_endpoint: McpEndpoint,
    worker: DeliveryWorker,
    reloader: Reloader | None,
) -> Litestar:
    """The routes off the hot path, on Litestar (its 404/405 answered in our envelope), and the
    lifespan: it starts the delivery worker and the SIGHUP reload, and stops them and closes
    what the container and the MCP endpoint opened."""

    @get("/healthz", include_in_schema=False, sync_to_thread=False)
    def healthz() -> Response[bytes]:
        return liveness()

    outbox, clock = container.outbox(), container.clock()

    @get("/metrics", include_in_schema=False)
    async def metrics_text() -> Response[bytes]:
        try:
            stats = await outbox.stats(clock.now())
        except StoreUnavailable:  # /readyz says so; the counters are still worth a scrape
            stats = None
        return Response(metrics.render(stats), media_type=METRICS_CONTENT_TYPE)

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[bytes]:
        return await readiness(checks, queueing=settings.helpdesk.down_policy == "queue")

    settings = container.settings()

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await warn_if_queued_hand_offs_are_not_durable(container)
        await report_helpdesk_setup(container.helpdesk())
        worker.start()
        if reloader is not None:
            reloader.listen()
        try:
            yield
        finally:
            if reloader is not None:
                reloader.stop()
            await worker.stop()
            await mcp_endpoint.aclose()
            await close_container(container)

    return fallback_app([healthz, readyz, metrics_text], settings, lifespan)
