"""``service_app(container)``: the whole service on one container - the HTTP app with the MCP
endpoint at ``/mcp``, the delivery worker and, without tenants, the SIGHUP reload of secrets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from entrypoints.asgi.auth import AuthReload, AuthSecrets, BearerAuth
from entrypoints.asgi.gate import Gate
from entrypoints.bootstrap.container import Container, close_container
from entrypoints.bootstrap.helpdesk_setup import report_helpdesk_setup
from entrypoints.bootstrap.metrics import Metrics
from entrypoints.config.reload import Holder, Reloader
from entrypoints.http.app import AppParts, create_app
from entrypoints.http.edge import Edge
from entrypoints.http.openapi.document import VERSION
from entrypoints.http.post_call.signature import PostCallSecretReload, post_call_secrets
from entrypoints.mcp.http import McpEndpoint
from entrypoints.workers.delivery import DeliveryWorker, warn_if_queued_hand_offs_are_not_durable


@dataclass(frozen=True)
class TenantWiring:
    """What a tenant's service takes from the tenants' front (``entrypoints/tenancy``) instead
    of making it: the secrets its tenant's entry of the tenants file admits (the webhook's and
    ``/mcp``'s, the post-call webhook's; swapped by the tenants' reload, which replaces this
    service's own SIGHUP reload), and its metrics, labelled with the tenant's name and rendered
    by the front's one ``/metrics``."""

    secrets: Holder[AuthSecrets]
    post_call_secrets: Holder[tuple[str, ...]]
    metrics: Metrics


def service_app(container: Container, tenant: TenantWiring | None = None) -> Edge:
    """The service on ``container``. ``tenant``: one tenant's service behind the tenants' front;
    without it (no TENANTS_FILE) the service is the whole process, its secrets from the settings
    and reloaded on SIGHUP by itself."""
    settings = container.settings()
    reloader: Reloader | None = None
    if tenant is None:
        secrets = Holder(AuthSecrets.from_settings(settings))  # SIGHUP swaps it (config/reload)
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
        secrets, post_call_secret, metrics = (
            tenant.secrets,
            tenant.post_call_secrets,
            tenant.metrics,
        )
    worker = DeliveryWorker(
        container.outbox(), container.deliver_handoff().execute, container.clock(), metrics
    )
    # MCP over Streamable HTTP; the SDK itself loads on the first MCP request.
    mcp = McpEndpoint(
        container,
        Gate(BearerAuth(secrets), container.rate_limiter()),
        has_tokens=bool(secrets.value.tokens),
    )

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
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
            await mcp.aclose()
            await close_container(container)

    parts = AppParts(secrets, post_call_secret, metrics, mcp, worker.nudge, lifespan)
    return create_app(container, parts)
