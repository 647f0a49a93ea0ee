"""The MCP tools in process, through the SDK's own client: listing, calls, errors, and Streamable
HTTP at ``/mcp``."""
