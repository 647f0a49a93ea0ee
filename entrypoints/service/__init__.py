"""One tenant's whole service, composed from the drivers: the HTTP routes (``http``), the MCP
tools at ``/mcp`` (``mcp``), the delivery worker (``workers``) and the SIGHUP reload, started
and stopped by one lifespan.

The composition root above the drivers: it is where they meet, so they never import one another.
Imported by the tenants' front (``tenancy``) and the ASGI factory (``serving``).
"""
