"""``serve`` with a tenants file: the dispatcher in front of one app per tenant, and the front
that answers for the process as a whole.

    socket -> uvicorn -> TenantDispatch (dispatch.py): which tenant?
                 |-> the tenant's app (service_app on its own container), as without tenants
                 |-> the front Edge: /healthz, /readyz, /metrics, /schema, and the refusal of a
                     request no tenant was chosen for (its access line, its metrics)

The front's lifespan starts every tenant (``TenantRegistry``: containers opened in this event
loop, delivery workers running) and the SIGHUP reload, whose one part is the tenants file
(``TenantsReload``). ``/readyz`` reports every tenant's checks as ``<tenant>.<check>``: ``ready``
when every tenant is, ``unavailable`` (503) only when no tenant can take a hand-off - one
tenant's helpdesk or disk must not take the others out of rotation - and ``degraded``
otherwise. ``/metrics`` is one exposition: each tenant's series carry ``tenant="<name>"``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar, Response, get

from application.errors import StoreUnavailable
from application.ports import OutboxStats
from entrypoints.asgi.requests import ASGIApp
from entrypoints.bootstrap.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from entrypoints.bootstrap.metrics import Metrics, render_metrics
from entrypoints.config.reload import Reloader
from entrypoints.config.settings import Settings, read_environment
from entrypoints.config.tenants import Tenant
from entrypoints.http.edge import Edge, Route, RouteTable, asgi_endpoint
from entrypoints.http.fallback_app import fallback_app
from entrypoints.http.openapi.document import VERSION
from entrypoints.http.routes.health import liveness, readiness_answer, readiness_status
from entrypoints.tenancy.apps import TenantApp
from entrypoints.tenancy.dispatch import TenantDispatch, refuse
from entrypoints.tenancy.reload import TenantRegistry, TenantsReload


@dataclass(frozen=True)
class TenantsService:
    """The app ``serve`` runs with tenants, the reload SIGHUP triggers, and the tenants."""

    app: ASGIApp
    reloader: Reloader
    registry: TenantRegistry


def tenants_app(
    settings: Settings,
    tenants: Sequence[Tenant],
    read: Callable[[], Mapping[str, str]] = read_environment,
) -> ASGIApp:
    """The ASGI app of a service with tenants (``tenants_service``'s)."""
    return tenants_service(settings, tenants, read).app


def tenants_service(
    settings: Settings,
    tenants: Sequence[Tenant],
    read: Callable[[], Mapping[str, str]] = read_environment,
) -> TenantsService:
    """The service with tenants; ``settings`` are the environment's (the base of every
    tenant), ``read`` reads the environment again on SIGHUP. Nothing opens until the app's
    lifespan starts."""
    registry = TenantRegistry(tenants)
    reloader = Reloader(settings, [TenantsReload(registry, read)], read)
    metrics = Metrics(VERSION)  # the front's own answers: health, metrics, refusals
    framework = _front_routes(settings, registry, metrics, reloader)
    rest = asgi_endpoint(framework)
    routes = RouteTable(
        exact={
            "/healthz": Route("healthz", rest),
            "/readyz": Route("readyz", rest),
            "/metrics": Route("metrics", rest),
        },
        prefixes={"/schema": Route("schema", rest)},
        fallback=Route("unauthenticated", refuse),
    )
    app = TenantDispatch(registry.selection, Edge(routes, framework, metrics))
    return TenantsService(app, reloader, registry)


async def tenants_readiness(apps: Sequence[TenantApp]) -> Response[bytes]:
    """Every tenant's checks, and the verdict over all of them (see the module's docstring)."""
    probed = await asyncio.gather(*(app.checks.results() for app in apps if app.checks))
    results: dict[str, bool] = {}
    verdicts: list[str] = []
    for app, checks in zip((a for a in apps if a.checks), probed, strict=True):
        queueing = app.tenant.settings.helpdesk.down_policy == "queue"
        verdicts.append(readiness_status(checks, queueing)[0])
        results.update({f"{app.name}.{name}": ok for name, ok in checks.items()})
    if verdicts and all(verdict == "ready" for verdict in verdicts):
        return readiness_answer("ready", 200, results)
    if not verdicts or all(verdict == "unavailable" for verdict in verdicts):
        return readiness_answer("unavailable", 503, results)
    return readiness_answer("degraded", 200, results)


async def _outbox_stats(app: TenantApp) -> OutboxStats | None:
    if app.container is None:
        return None
    try:
        stats: OutboxStats = await app.container.outbox().stats(app.container.clock().now())
        return stats
    except StoreUnavailable:  # /readyz says so; the counters are still worth a scrape
        return None


def _front_routes(
    settings: Settings, registry: TenantRegistry, metrics: Metrics, reloader: Reloader
) -> Litestar:
    @get("/healthz", include_in_schema=False, sync_to_thread=False)
    def healthz() -> Response[bytes]:
        return liveness()

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[bytes]:
        return await tenants_readiness(registry.serving)

    @get("/metrics", include_in_schema=False)
    async def metrics_text() -> Response[bytes]:
        apps = registry.serving
        stats = await asyncio.gather(*(_outbox_stats(app) for app in apps))
        sources = [(metrics, None), *((app.metrics, s) for app, s in zip(apps, stats, strict=True))]
        body = render_metrics(VERSION, metrics.started, sources)
        return Response(body, media_type=METRICS_CONTENT_TYPE)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await registry.start_all()
        reloader.listen()
        try:
            yield
        finally:
            reloader.stop()
            await registry.stop_all()

    return fallback_app([healthz, readyz, metrics_text], settings, lifespan)
