"""Starting the service: ``helpdesk-bridge serve``'s uvicorn options and the ASGI factory each
worker process imports (the one-tenant service, or the tenants' front), opened at lifespan
start-up.

The top of the served stack: imports tenancy, the service and the composition root; nothing
but the console script (``entrypoints.main``) imports it."""
