"""What every ASGI-served transport stands on: reading a request's head and body, JSON answers
and the error envelope, and the gate (authentication, the per-client rate limit, the replay
guard) that the webhook, the status routes and ``/mcp`` all pass.

Shared by the ``http`` and ``mcp`` drivers so that neither imports the other; imports
configuration, the wire formats and the core."""
