"""``create_app(container, parts)``: the HTTP routes behind the edge (route table, gate,
envelope), wired once.

The HTTP app does not make what other drivers run: the endpoint at ``/mcp`` (the MCP driver),
the delivery worker woken by a queued hand-off, and what starts and stops with the app (the
worker, the SIGHUP reload) come in ``AppParts`` from the composition root
(``entrypoints/service/app.py``), so this driver never imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from litestar import Litestar, Response, get

from application.errors import StoreUnavailable
from entrypoints.asgi.auth import AuthSecrets, WebhookAuth
from entrypoints.asgi.gate import Gate
from entrypoints.bootstrap.container import Container
from entrypoints.bootstrap.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from entrypoints.bootstrap.metrics import Metrics
from entrypoints.config.reload import Holder
from entrypoints.http.edge import Edge, Endpoint, Route, RouteTable, asgi_endpoint
from entrypoints.http.fallback_app import fallback_app
from entrypoints.http.post_call.route import PostCallRoute
from entrypoints.http.post_call.signature import PostCallSignature
from entrypoints.http.routes.handoff import HandoffRoute
from entrypoints.http.routes.handoff_status import HandoffStatusRoute
from entrypoints.http.routes.health import ReadinessChecks, liveness, readiness
from entrypoints.http.routes.ticket_status import PATH as TICKET_STATUS_PATH
from entrypoints.http.routes.ticket_status import TicketStatusRoute

HANDOFF_PATH = "/ingest/oa-handoff"
POST_CALL_PATH = "/ingest/elevenlabs/post-call"
HANDOFFS_PATH = "/handoffs"
MCP_PATH = "/mcp"


@dataclass(frozen=True)
class AppParts:
    """What the HTTP app takes from the composition root instead of making it."""

    secrets: Holder[AuthSecrets]
    """What admits the webhook's and ``/mcp``'s callers (swapped whole by a reload)."""
    post_call_secrets: Holder[tuple[str, ...]]
    """What signs ElevenLabs' post-call webhooks."""
    metrics: Metrics
    mcp: Endpoint
    """Served at ``/mcp`` (behind its own gate: the MCP driver's Streamable HTTP endpoint)."""
    on_queued: Callable[[], None]
    """Called when a hand-off was queued (wakes the delivery worker)."""
    lifespan: Callable[[], AbstractAsyncContextManager[None]]
    """Runs while the app runs: starts and stops what serves beside the routes, and closes the
    container at the end."""


def create_app(container: Container, parts: AppParts) -> Edge:
    """Build the edge and its routes; every collaborator is resolved here, none per request."""
    settings = container.settings()
    limiter = container.rate_limiter()
    webhook_gate = Gate(
        WebhookAuth(parts.secrets, settings.hmac_tolerance_seconds, container.clock()),
        limiter,
        container.replay_guard(),
    )
    handoff = HandoffRoute(
        gate=webhook_gate,
        idempotency=container.idempotent_runner(),
        handoff=container.oa_handoff(),
        max_body_bytes=settings.max_body_bytes,
        clock=container.clock(),
        deadline_seconds=settings.handoff_deadline_seconds,
        on_queued=parts.on_queued,
        say=container.say_templates(),
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
        PostCallSignature(parts.post_call_secrets, container.clock()),
        limiter,
        container.record_call(),
        max_body_bytes=settings.post_call_max_body_bytes,
        clock=container.clock(),
        deadline_seconds=settings.handoff_deadline_seconds,
    )
    checks = ReadinessChecks(container.health_probes(), settings.readyz_cache_seconds)
    framework = _framework_routes(container, checks, parts)
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
            MCP_PATH: Route("mcp", parts.mcp),
            HANDOFFS_PATH: Route("handoffs", status, HANDOFFS_PATH + "/{reference}"),
            "/schema": Route("schema", rest),
        },
        fallback=Route("other", rest),
    )
    return Edge(routes, framework, parts.metrics)


def _framework_routes(container: Container, checks: ReadinessChecks, parts: AppParts) -> Litestar:
    """The routes off the hot path, on Litestar (its 404/405 answered in our envelope), and the
    lifespan the composition root gave."""

    @get("/healthz", include_in_schema=False, sync_to_thread=False)
    def healthz() -> Response[bytes]:
        return liveness()

    outbox, clock, metrics = container.outbox(), container.clock(), parts.metrics

    @get("/metrics", include_in_schema=False)
    async def metrics_text() -> Response[bytes]:
        try:
            stats = await outbox.stats(clock.now())
        except StoreUnavailable:  # /readyz says so; the counters are still worth a scrape
            stats = None
        return Response(metrics.render(stats), media_type=METRICS_CONTENT_TYPE)

    settings = container.settings()

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[bytes]:
        return await readiness(checks, queueing=settings.helpdesk.down_policy == "queue")

    def lifespan(_app: Litestar) -> AbstractAsyncContextManager[None]:
        return parts.lifespan()

    return fallback_app([healthz, readyz, metrics_text], settings, lifespan)
