"""The MCP floor: the MCP SDK's bare low-level server over stdio with one tool, nothing of ours.

What any MCP server built on the SDK pays before its first ``tools/list`` (the SDK's import is
most of it); ``bench startup`` times ``helpdesk-bridge mcp`` against it.

    python -m bench.processes.mcp_floor      # speaks MCP on stdin/stdout
"""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.types import ListToolsResult, PaginatedRequestParams, Tool

LISTING = ListToolsResult(
    tools=[Tool(name="echo", description="Echo a text.", input_schema={"type": "object"})]
)


async def _list_tools(_context: Any, _params: PaginatedRequestParams | None) -> ListToolsResult:
    return LISTING


async def main() -> None:
    server: Server[Any] = Server("mcp-floor", on_list_tools=_list_tools)
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


if __name__ == "__main__":  # pragma: no cover - a server process
    anyio.run(main)
