"""In-process integration: the Litestar app and the MCP server wired by the real container, driven
through test clients (no sockets)."""
