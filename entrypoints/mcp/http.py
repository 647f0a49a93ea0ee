"""MCP over Streamable HTTP at ``/mcp``, a route of the edge (ElevenLabs agents, hosted
assistants).

In front of the SDK's transport, the same gate as the webhook's: ``Authorization: Bearer
<AUTH_TOKEN>`` (401 in the service's envelope otherwise), the per-client rate limit with the
RateLimit-* headers and the 429 envelope (the budget is keyed by token, so webhook and MCP calls
with one token share it), and the allowed Host names (``MCP_ALLOWED_HOSTS``; the SDK answers
421 to any other Host).

Transport options: **stateless** (no ``Mcp-Session-Id`` to keep: any worker or instance behind a
load balancer can answer any request, and a restart loses no session) and **JSON responses**
(one ``application/json`` body per POST instead of an SSE stream: these tools answer once, and
JSON passes every proxy unbuffered). ElevenLabs and the SDK clients handle both.

A POST body is read here first (bounded by MAX_BODY_BYTES) and judged as the stdio transport
judges a line (``messages.parse_message``): one that is not JSON-RPC is answered here with its
JSON-RPC error (400), so the SDK's own answers - which quote the input back - never go out.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import structlog

from entrypoints.asgi.gate import Gate
from entrypoints.asgi.requests import (
    ClientDisconnected,
    Message,
    RawHeaders,
    Receive,
    Scope,
    Send,
    read_body,
    read_headers,
)
from entrypoints.asgi.responses import JsonResponse, LogFields, with_headers
from entrypoints.bootstrap.container import Container

if TYPE_CHECKING:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from mcp.server.transport_security import TransportSecuritySettings


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
    SDK's import time and memory. ``aclose`` (in the app's
    lifespan) stops the session manager if it was started."""

    def __init__(self, container: Container, gate: Gate, *, has_tokens: bool = True) -> None:
        settings = container.settings()
        self._container = container
        self._settings = settings
        self._gate = gate
        self._sessions: StreamableHTTPSessionManager | None = None
        self._starting = asyncio.Lock()
        self._stop = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        if not has_tokens:
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> LogFields | None:
        allowed = await self._gate.check(scope, read_headers(scope, self._gate.headers))
        if isinstance(allowed, JsonResponse):
            await allowed.send(send)
            return allowed.log_fields
        sessions = await self.sessions()
        if scope["method"] == "POST":
            try:
                body, too_large = await read_body(scope, receive, self._settings.max_body_bytes)
            except ClientDisconnected:
                return None
            limit = self._settings.max_body_bytes
            answer = _refusal(body, too_large, limit, allowed.headers)
            if answer is not None:
                await answer.send(send)
                return answer.log_fields
            receive = _replaying(body, receive)
        await sessions.handle_request(scope, receive, with_headers(send, allowed.headers))
        return None


def _refusal(
    body: bytes, too_large: bool, max_body_bytes: int, headers: RawHeaders
) -> JsonResponse | None:
    """The answer to a POST body the SDK must not see: larger than MAX_BODY_BYTES (413), or no
    JSON-RPC message (400); both a JSON-RPC error, as the stdio transport answers a bad line."""
    from entrypoints.mcp.messages import refusal_of, too_large_refusal

    refused = too_large_refusal(max_body_bytes) if too_large else refusal_of(body)
    if refused is None:
        return None
    error, code = refused
    return JsonResponse(413 if too_large else 400, error, headers, {"error_code": code})


def _replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` that hands the SDK the body already read, then the client's own events."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _import_sdk() -> None:
    """Load the MCP server modules (the import cost of the first /mcp request)."""
    import entrypoints.mcp.server  # noqa: F401
