"""The operator's commands that run no server: ``outbox`` (list, retry, drop queued hand-offs),
``elevenlabs tool`` (an agent's webhook tool), ``hash-token`` (a tenants file's token line).

A driver: never imports another driver (``http``, ``mcp``, ``workers``)."""
