"""What needs real processes: ``helpdesk-bridge serve`` and ``mcp`` started as production starts
them, reached over HTTP and stdio, with faults injected into them."""
