"""``helpdesk-bridge mcp``: the MCP tools over stdio, for a local client that spawns the bridge
(Claude Desktop). stdout is the protocol; logs go to stderr."""

from __future__ import annotations

import argparse


def add_arguments(mcp: argparse.ArgumentParser) -> None:
    mcp.add_argument("--tenant", default=None, help="with TENANTS_FILE: the tenant to serve")
    mcp.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import structlog

    from entrypoints.config.command_line import settings_or_exit
    from entrypoints.mcp.stdio import run_stdio

    # stdio is local: the only client is the process that spawned us, so no token is needed.
    settings = settings_or_exit(require_auth=False, tenant=args.tenant)
    if args.tenant is not None:  # every log line of the session names its tenant
        structlog.contextvars.bind_contextvars(tenant=args.tenant)
    try:
        run_stdio(settings)
    except KeyboardInterrupt:
        return 130
    return 0
