"""MCP from outside: the SDK's stdio client, Streamable HTTP, the TypeScript MCP Inspector, the
Claude Desktop bundle, hostile MCP clients."""
