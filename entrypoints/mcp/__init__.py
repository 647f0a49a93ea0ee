"""The MCP server: the five tools of the spec as thin calls of the same use cases as the webhook.

- ``tools.TOOLS``: the tool table, one row per tool (description, annotations, Command, output
  struct, use case, result mapping); ``contract``: names, output structs, annotations.
- ``server.create_mcp_server(container)``: the table on the SDK's low-level server;
  ``server.session_manager_for(...)``: the same for Streamable HTTP.
- ``stdio.run_stdio()``: ``helpdesk-bridge mcp`` (Claude Desktop spawns it; stdout is protocol).
- ``http.McpEndpoint``: Streamable HTTP at ``/mcp`` inside the Litestar app (Bearer auth, rate
  limit, allowed Host names).

This package's ``__init__`` imports nothing: the SDK (about 0.3 s, 30 MiB) loads only where it
is used (``server``), so the HTTP app starts without it.
"""
