"""Single modules of the entrypoints: the wire decoding, the command-line tools, logging, MCP
messages, the bundle's manifest."""
