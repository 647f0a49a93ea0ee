"""MCP over Streamable HTTP at ``/mcp`` inside the Litestar app (ElevenLabs agents, hosted
assistants).

In front of the SDK's transport, like the webhook: ``Authorization: Bearer <AUTH_TOKEN>`` (401
in the service's envelope otherwise), the per-client rate limit with the same RateLimit-* headers
and 429 envelope (the budget is keyed by token, so webhook and MCP calls with one token share
it), and the allowed Host names (``MCP_ALLOWED_HOSTS``; the SDK answers 421 to any other Host).

Transport options: **stateless** (no ``Mcp-Session-Id`` to keep: any worker or instance behind a
load balancer can answer any request, and a restart loses no session) and **JSON responses**
(one ``application/json`` body per POST instead of an SSE stream: these tools answer once, and
JSON passes every proxy unbuffered). ElevenLabs and the SDK clients handle both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

import structlog
from litestar import Response, asgi
from litestar.handlers import ASGIRouteHandler

from entrypoints.container import Container
from entrypoints.http.auth import Authenticator, Verdict
from entrypoints.http.errors import JSON, HttpError, error_response
from entrypoints.http.handoff import rate_headers

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from mcp.server.transport_security import TransportSecuritySettings

MOUNT_PATH = "/mcp"
BEARER = "bearer "
AUTH_MESSAGE = "Authentication required (send Authorization: Bearer <AUTH_TOKEN>)"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


def transport_security(allowed_hosts: tuple[str, ...]) -> TransportSecuritySettings:
    """The SDK's DNS-rebinding protection for ``MCP_ALLOWED_HOSTS``: an entry without a port
    allows that host on any port; ``*`` turns the check off (the Bearer token still guards)."""
    from mcp.server.transport_security import TransportSecuritySettings

    if "*" in allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts: list[str] = []
    for host in allowed_hosts:
        hosts.append(host)
        if ":" not in host.rsplit("]", 1)[-1]:
            hosts.append(f"{host}:*")
    origins = [f"{scheme}://{host}" for host in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


class McpEndpoint:
    """The ``/mcp`` mount. The MCP SDK is imported and its session manager started on the first
    authenticated request, not at start-up: a service used only as a webhook never pays the
    SDK's ~0.3 s of import time and ~30 MiB (docs/PERFORMANCE.md). ``aclose`` (in the app's
    lifespan) stops the session manager if it was started."""

    def __init__(self, container: Container) -> None:
        settings = container.settings()
        self._container = container
        self._settings = settings
        self._sessions: StreamableHTTPSessionManager | None = None
        self._starting = asyncio.Lock()
        self._stop = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        # Only the shared token opens /mcp (MCP clients send headers, they do not sign bodies).
        self._auth = Authenticator(settings.auth_token, "", settings.hmac_tolerance_seconds)
        self._limiter = container.rate_limiter()
        if settings.log_level != "debug":  # one "Terminating session" line per stateless request
            logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
        if not settings.auth_token:
            structlog.get_logger("helpdesk_bridge.mcp").warning(
                "mcp.http_without_token",
                hint="AUTH_TOKEN is not set: /mcp refuses every request (401)",
            )

    async def sessions(self) -> StreamableHTTPSessionManager:
        """The SDK's session manager, built and running (once) from the first call on."""
        if self._sessions is not None:
            return self._sessions
        async with self._starting:
            if self._sessions is None:
                # The import is the slow part: do it off the event loop, so hand-offs in flight
                # are not held up while the first MCP client connects.
                await asyncio.to_thread(_import_sdk)
                from entrypoints.mcp.server import session_manager_for

                manager = session_manager_for(
                    self._container,
                    transport_security(self._settings.mcp_allowed_hosts),
                    self._settings.max_body_bytes,
                )
                started = asyncio.get_running_loop().create_future()
                self._runner = asyncio.create_task(self._run(manager, started))
                await started  # raises if the session manager could not start
                self._sessions = manager
        return self._sessions

    async def _run(
        self, manager: StreamableHTTPSessionManager, started: asyncio.Future[None]
    ) -> None:
        try:
            async with manager.run():
                started.set_result(None)
                await self._stop.wait()
        except BaseException as error:
            if not started.done():
                started.set_exception(error)
                return
            raise

    async def aclose(self) -> None:
        """Stop the session manager (if the first MCP request ever started it)."""
        self._stop.set()
        if self._runner is not None:
            await self._runner

    def route(self) -> ASGIRouteHandler:
        """The Litestar handler mounted at ``/mcp`` (and below it)."""

        @asgi(MOUNT_PATH, is_mount=True, copy_scope=True)
        async def mcp_endpoint(scope: Any, receive: Any, send: Any) -> None:
            await self(scope, receive, send)

        return mcp_endpoint

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        client = scope.get("client")
        verdict = self._verdict(_header(scope, b"authorization"), client[0] if client else "")
        decision = await self._limiter.hit(verdict.client)
        limit_headers = rate_headers(decision)
        if not decision.allowed:
            limit_headers["Retry-After"] = str(decision.reset_seconds)
            message = f"Too many requests. Rate limit: {decision.limit} requests per second"
            await _send(send, error_response("RATE_LIMIT_EXCEEDED", message, headers=limit_headers))
            return
        if verdict.error is not None:
            limit_headers["WWW-Authenticate"] = 'Bearer realm="helpdesk-bridge"'
            error = verdict.error
            await _send(send, error_response(error.code, error.message, headers=limit_headers))
            return
        extra = [(name.lower().encode(), value.encode()) for name, value in limit_headers.items()]

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        sessions = await self.sessions()
        await sessions.handle_request(scope, receive, send_with_limits)

    def _verdict(self, authorization: str | None, client_ip: str) -> Verdict:
        """``Bearer <token>``; a bare ``<token>`` is accepted too (a platform that sends its
        stored secret as the header's whole value): the same secret, compared the same way."""
        token = (authorization or "").strip()
        if token.lower().startswith(BEARER):
            token = token[len(BEARER) :].strip()
        if not token:
            return Verdict(f"ip:{client_ip}", HttpError("AUTH_REQUIRED", AUTH_MESSAGE))
        return self._auth.check(token, None, None, b"", client_ip)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _send(send: Any, response: Response[bytes]) -> None:
    """Send one of the service's envelope responses from inside the raw ASGI mount."""
    body = response.content
    headers = [
        (b"content-type", JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), str(value).encode()) for name, value in response.headers.items()),
    ]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _import_sdk() -> None:
    """Load the MCP server modules (the import cost of the first /mcp request)."""
    import entrypoints.mcp.server  # noqa: F401
