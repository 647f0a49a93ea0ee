"""What drives the application, and what wires it (docs/architecture.md draws the rooms).

- Drivers, which never import one another: ``http`` (the HTTP API on Litestar and uvicorn),
  ``mcp`` (the MCP tools over stdio and Streamable HTTP), ``cli`` (the operator's commands),
  ``workers`` (the delivery of queued hand-offs).
- The composition root above them: ``main`` (the console script), ``serving`` (the process and
  the ASGI factory), ``tenancy`` (several tenants in one process), ``service`` (one tenant's
  service: HTTP + MCP at /mcp + the worker + the reload).
- Its ground floor below them: ``asgi`` (requests, responses, the envelope and the gate both
  served transports stand on), ``bootstrap`` (the container and the backend families, logging,
  metrics), ``config`` (settings, the tenants file, reload), ``wire`` (the JSON shapes and the
  error codes both transports share).
"""
