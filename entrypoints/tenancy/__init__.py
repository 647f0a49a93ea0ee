"""Several tenants in one process: one service per tenant (its own container and app) behind
the tenants' front, which picks the tenant by token or by ``/tenants/<name>/``, and the SIGHUP
reload that adds, removes or re-keys tenants.

Above the one-tenant service (``entrypoints.service``), never inside it: nothing below imports
this room. The tenants file itself is configuration (``entrypoints.config.tenants``)."""
