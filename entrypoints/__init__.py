"""Drivers of the application: HTTP (Litestar), MCP, the CLI, and the DI container that wires."""
