"""``helpdesk-bridge mcp``: the MCP server over stdio, as Claude Desktop spawns it.

stdout carries only the protocol: logs go to stderr (JSON or console, redacted), configured
before the SDK is imported, so the SDK's own stdlib log records take the same way out. The
transport (``stdio_lines.py``) answers every line, a malformed one with a JSON-RPC error.
"""

from __future__ import annotations

import anyio

from entrypoints.config.settings import Settings


def run_stdio(settings: Settings) -> None:
    """Serve the five tools on stdin/stdout until the client closes stdin."""
    import structlog

    from entrypoints.bootstrap.logging import configure_logging

    configure_logging(settings.log_level, settings.log_format)

    from entrypoints.bootstrap.container import close_container, open_container
    from entrypoints.mcp.server import create_mcp_server
    from entrypoints.mcp.stdio_lines import claimed_std_streams, stdio_transport

    log = structlog.get_logger("helpdesk_bridge.mcp")

    async def serve() -> None:
        container = await open_container(settings)  # its clients live in this loop
        server = create_mcp_server(container)
        log.info(
            "mcp.stdio_starting",
            helpdesk_backend=settings.helpdesk_backend,
            store_backend=settings.store_backend,
            tool_name_style=settings.mcp_tool_name_style,
        )
        try:
            with claimed_std_streams() as (source, sink):
                async with stdio_transport(source, sink) as (read, write):
                    await server.run(read, write, server.create_initialization_options())
        finally:
            await close_container(container)
            log.info("mcp.stdio_stopped")

    anyio.run(serve)
