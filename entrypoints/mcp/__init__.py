"""The MCP server: the five tools of the spec as thin calls of the same use cases as the webhook.

- ``server.create_mcp_server(container)``: the tools (names, schemas, annotations, errors).
- ``stdio.run_stdio()``: ``helpdesk-bridge mcp`` (Claude Desktop spawns it; stdout is protocol).
- ``http.McpEndpoint``: Streamable HTTP at ``/mcp`` inside the Litestar app (Bearer auth, rate
  limit, allowed Host names).

Importing this package imports the MCP SDK (about 0.4 s): the HTTP app imports it lazily.
"""

from entrypoints.mcp.server import create_mcp_server

__all__ = ["create_mcp_server"]
