"""One tenant's running service behind the tenants' front: its container, its app (the same
``service_app`` as a bridge without tenants), its lifespan, its secrets and its metrics.

Every tenant's app is a whole service of its own - its own helpdesk client, stores, delivery
worker and ``/mcp`` session manager - so keeping tenants apart is a matter of never handing a
request to the wrong one (``dispatch.py``). Everything a tenant does runs with
``tenant=<name>`` bound in structlog's context: its start-up, its delivery worker (a task
started inside that context keeps it) and each request it serves, so every log line names it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import structlog

from entrypoints.asgi.auth import AuthSecrets, HmacKey, SharedToken
from entrypoints.asgi.requests import ASGIApp, Message, Receive, Scope, Send
from entrypoints.bootstrap.container import Container, close_container, open_container
from entrypoints.bootstrap.metrics import Metrics
from entrypoints.config.reload import Holder, Reloadable
from entrypoints.config.tenants import Tenant
from entrypoints.http.edge import Edge
from entrypoints.http.openapi.document import VERSION
from entrypoints.http.post_call.signature import post_call_secrets
from entrypoints.http.routes.health import ReadinessChecks
from entrypoints.service.app import TenantWiring, service_app

T = TypeVar("T")
DRAIN_SECONDS = 30.0
"""How long a retired tenant's requests in flight may take before its app shuts down (uvicorn's
graceful shutdown allows as long)."""


def tenant_secrets(tenant: Tenant) -> AuthSecrets:
    """What admits a tenant's callers: its tokens (hashes only) and its HMAC secrets."""
    return AuthSecrets(
        tuple(SharedToken.from_digest(digest) for digest in tenant.token_digests),
        tuple(HmacKey(secret) for secret in tenant.settings.webhook_secrets),
    )


class LifespanRunner:
    """Drives an ASGI app's lifespan (start-up, shut-down) as a server would, in a task of its
    own, so several apps - one per tenant - live in one process behind one front."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        self._task = asyncio.create_task(self._run({**scope, "state": {}}))
        await self._to_app.put({"type": "lifespan.startup"})
        await self._expect("lifespan.startup.complete")

    async def shutdown(self) -> None:
        if self._task is None or self._task.done():
            return
        await self._to_app.put({"type": "lifespan.shutdown"})
        await self._expect("lifespan.shutdown.complete")
        await self._task

    async def _run(self, scope: Scope) -> None:
        await self._app(scope, self._to_app.get, self._send)

    async def _send(self, message: Message) -> None:
        await self._from_app.put(message)

    async def _expect(self, wanted: str) -> None:
        assert self._task is not None
        reply = asyncio.ensure_future(self._from_app.get())
        done, _ = await asyncio.wait({reply, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if reply not in done:
            reply.cancel()
            self._task.result()  # raises what ended the lifespan
            raise RuntimeError(f"the app's lifespan ended before {wanted}")
        message = reply.result()
        if message["type"] != wanted:
            raise RuntimeError(str(message.get("message") or message["type"]))


class TenantApp:
    """One tenant: prepared from its configuration at once, started (container opened, app
    built, lifespan run) inside the event loop, stopped after its requests in flight."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        """Its configuration as last applied (the tenants' reload compares against it)."""
        self.name = tenant.name
        self.secrets = Holder(tenant_secrets(tenant))
        self.post_call_secrets = Holder(post_call_secrets(tenant.settings))
        self.metrics = Metrics(VERSION, tenant=tenant.name)
        self.context = contextvars.copy_context()
        self.context.run(structlog.contextvars.bind_contextvars, tenant=tenant.name)
        self.container: Container | None = None
        self.checks: ReadinessChecks | None = None
        self.reloadables: tuple[Reloadable, ...] = ()
        self._edge: Edge | None = None
        self._lifespan: LifespanRunner | None = None
        self._in_flight = 0
        self._idle: asyncio.Event | None = None

    async def start(self) -> None:
        """Open its container and start its app (delivery worker included), in its context."""
        await self._in_context(self._start)

    async def _start(self) -> None:
        settings = self.tenant.settings
        container = await open_container(settings)
        try:
            wiring = TenantWiring(self.secrets, self.post_call_secrets, self.metrics)
            self._edge = service_app(container, wiring)
            self.checks = ReadinessChecks(container.health_probes(), settings.readyz_cache_seconds)
            self.reloadables = tuple(container.helpdesk_reloadables())
            lifespan = LifespanRunner(self._edge)
            await lifespan.startup()
        except BaseException:
            await close_container(container)  # the app's lifespan closes it only once it ran
            raise
        self.container, self._lifespan = container, lifespan
        structlog.get_logger("helpdesk_bridge.tenants").info(
            "tenant.started",
            helpdesk_backend=settings.helpdesk_backend,
            store_backend=settings.store_backend,
        )

    async def stop(self, drain_seconds: float = 0.0) -> None:
        """Shut its app down (worker, MCP sessions, clients), after the requests in flight
        finish or ``drain_seconds`` pass."""
        if drain_seconds > 0 and self._in_flight:
            self._idle = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), drain_seconds)
        if self._lifespan is not None:
            await self._in_context(self._lifespan.shutdown)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request of this tenant (the dispatcher chose it)."""
        assert self._edge is not None, "a tenant serves only once started"
        self._in_flight += 1
        bound = structlog.contextvars.bind_contextvars(tenant=self.name)
        try:
            await self._edge(scope, receive, send)
        finally:
            structlog.contextvars.reset_contextvars(**bound)  # tokens: cheaper than a bound_ CM
            self._in_flight -= 1
            if not self._in_flight and self._idle is not None:
                self._idle.set()

    async def _in_context(self, step: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``step`` in this tenant's context (tasks it starts inherit ``tenant``)."""
        loop = asyncio.get_running_loop()
        return await loop.create_task(step(), context=self.context.copy())
