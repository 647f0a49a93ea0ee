"""``helpdesk-bridge``: ``serve`` (HTTP), ``mcp`` (stdio MCP server), ``openapi`` (export),
``outbox`` (queued hand-offs: list, retry, drop), ``elevenlabs tool`` (an agent's webhook tool),
``hash-token`` (a token's ``sha256:`` line for a tenants file). With TENANTS_FILE, ``mcp`` and
``outbox`` run on the tenant ``--tenant NAME`` names."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from entrypoints.config.settings import ConfigError, Settings, read_environment, settings_from
from entrypoints.config.tenants import Tenant, read_tenants, tenant_named


def _configured_or_exit(
    *, require_auth: bool = True, tenant: str | None = None
) -> tuple[Settings, tuple[Tenant, ...]]:
    """The environment's settings and, with TENANTS_FILE, the tenants; exit code 2 with one
    line when either is wrong."""
    try:
        values = read_environment()
        settings = settings_from(values, require_auth=require_auth)
        if tenant is not None and not settings.tenants_file:
            raise ConfigError(f"--tenant {tenant} needs TENANTS_FILE (the file naming the tenants)")
        tenants = read_tenants(values, settings) if settings.tenants_file else ()
    except ConfigError as error:
        print(f"helpdesk-bridge: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    return settings, tenants


def _settings_or_exit(*, require_auth: bool = True, tenant: str | None = None) -> Settings:
    """The settings a one-tenant command runs on: the environment's, or with TENANTS_FILE
    those of the tenant ``--tenant`` names."""
    settings, tenants = _configured_or_exit(require_auth=require_auth, tenant=tenant)
    if not tenants:
        return settings
    try:
        if tenant is None:
            raise ConfigError("TENANTS_FILE is set: name the tenant with --tenant NAME")
        return tenant_named(tenants, tenant).settings
    except ConfigError as error:
        print(f"helpdesk-bridge: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from entrypoints.serving.process import exit_zero_after_sigterm, server_options

    settings, tenants = _configured_or_exit()
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
        "entrypoints.serving.asgi:app_from_environment",
        factory=True,
        **server_options(settings, args.host, args.port, args.workers),
    )
    return 0


def _mcp(args: argparse.Namespace) -> int:
    import structlog

    from entrypoints.mcp.stdio import run_stdio

    # stdio is local: the only client is the process that spawned us, so no token is needed.
    settings = _settings_or_exit(require_auth=False, tenant=args.tenant)
    if args.tenant is not None:  # every log line of the session names its tenant
        structlog.contextvars.bind_contextvars(tenant=args.tenant)
    try:
        run_stdio(settings)
    except KeyboardInterrupt:
        return 130
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from entrypoints.http.openapi.document import openapi_yaml

    text = openapi_yaml()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


def _outbox(args: argparse.Namespace) -> int:
    from entrypoints.cli.outbox import run_outbox_command

    return run_outbox_command(args, _settings_or_exit(require_auth=False, tenant=args.tenant))


def _hash_token(_args: argparse.Namespace) -> int:
    from entrypoints.cli.hash_token import run_hash_token

    return run_hash_token(sys.stdin, sys.stdout, sys.stderr)


def _elevenlabs(args: argparse.Namespace) -> int:
    from entrypoints.cli.elevenlabs import run_elevenlabs_command
    from entrypoints.config.reader import read_declaration
    from entrypoints.config.settings import read_environment

    # Only the deadline and the dedup window are read: no token or helpdesk is needed to describe
    # the tool, but a malformed value still stops here as it would stop the service.
    try:
        settings = read_declaration(Settings, read_environment())
    except ConfigError as error:
        print(f"helpdesk-bridge: configuration error: {error}", file=sys.stderr)
        return 2
    return run_elevenlabs_command(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpdesk-bridge",
        description="Turn AI-agent escalations into helpdesk tickets (configuration: env / .env).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service (webhook, health, /mcp)")
    serve.add_argument("--host", default=None, help="bind address (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default: PORT or 3000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (needs redis)")
    serve.set_defaults(run=_serve)
    mcp = commands.add_parser(
        "mcp", help="run the MCP server over stdio (Claude Desktop); logs go to stderr"
    )
    mcp.add_argument("--tenant", default=None, help="with TENANTS_FILE: the tenant to serve")
    mcp.set_defaults(run=_mcp)
    hash_token = commands.add_parser(
        "hash-token", help="print sha256:<hex> of the token read from stdin (for auth_tokens)"
    )
    hash_token.set_defaults(run=_hash_token)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document as YAML")
    openapi.add_argument("--output", default="-", help="file to write (default: stdout)")
    openapi.set_defaults(run=_openapi)
    from entrypoints.cli.outbox import add_outbox_commands

    add_outbox_commands(commands)
    outbox = commands.choices["outbox"]
    outbox.add_argument("--tenant", default=None, help="with TENANTS_FILE: whose outbox")
    outbox.set_defaults(run=_outbox)
    from entrypoints.cli.elevenlabs import add_elevenlabs_commands

    add_elevenlabs_commands(commands)
    commands.choices["elevenlabs"].set_defaults(run=_elevenlabs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
