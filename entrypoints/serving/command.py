"""``helpdesk-bridge serve``: the HTTP service (webhook, status routes, post-call, ``/mcp``).

uvicorn imports the ASGI factory (``entrypoints/serving/asgi.py``) by name in each worker
process, so this command imports no web stack of its own: it checks the configuration once,
refuses a fleet of workers on per-process stores, and hands over to uvicorn.
"""

from __future__ import annotations

import argparse
import sys

ASGI_FACTORY = "entrypoints.serving.asgi:app_from_environment"


def add_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default=None, help="bind address (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default: PORT or 3000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (needs redis)")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from entrypoints.config.command_line import configured_or_exit
    from entrypoints.serving.process import exit_zero_after_sigterm, server_options

    settings, tenants = configured_or_exit()
    stores = {tenant.settings.store_backend for tenant in tenants} or {settings.store_backend}
    if args.workers > 1 and "memory" in stores:
        print(
            "helpdesk-bridge: configuration error: --workers > 1 needs STORE_BACKEND=redis "
            f"{'(for every tenant) ' if tenants else ''}"
            "(in-memory stores are per process: dedup, idempotency and rate limits would split)",
            file=sys.stderr,
        )
        return 2
    exit_zero_after_sigterm()
    uvicorn.run(
        ASGI_FACTORY, factory=True, **server_options(settings, args.host, args.port, args.workers)
    )
    return 0
