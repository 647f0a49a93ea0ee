"""Real processes: starting ``helpdesk-bridge serve`` and ``mcp``, their environment, faults
injected into them (helpdesk down, slow, rate-limiting; Redis restarted; SIGKILL), hostile
clients, the MCP Inspector, and the requests the e2e tests send."""
