"""``helpdesk-bridge``: ``serve`` (HTTP), ``mcp`` (stdio MCP server), ``openapi`` (export),
``outbox`` (queued hand-offs: list, retry, drop), ``elevenlabs tool`` (an agent's webhook tool)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from entrypoints.settings import ConfigError, Settings, load_settings


def _settings_or_exit(*, require_auth: bool = True) -> Settings:
    try:
        return load_settings(require_auth=require_auth)
    except ConfigError as error:
        print(f"helpdesk-bridge: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from entrypoints.serving import exit_zero_after_sigterm, server_options

    settings = _settings_or_exit()
    if args.workers > 1 and settings.store_backend == "memory":
        print(
            "helpdesk-bridge: configuration error: --workers > 1 needs STORE_BACKEND=redis "
            "(in-memory stores are per process: dedup, idempotency and rate limits would split)",
            file=sys.stderr,
        )
        return 2
    exit_zero_after_sigterm()
    uvicorn.run(
        "entrypoints.http.asgi:app_from_environment",
        factory=True,
        **server_options(settings, args.host, args.port, args.workers),
    )
    return 0


def _mcp(_args: argparse.Namespace) -> int:
    from entrypoints.mcp.stdio import run_stdio

    # stdio is local: the only client is the process that spawned us, so no token is needed.
    settings = _settings_or_exit(require_auth=False)
    try:
        run_stdio(settings)
    except KeyboardInterrupt:
        return 130
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from entrypoints.http.openapi import openapi_yaml

    text = openapi_yaml()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


def _outbox(args: argparse.Namespace) -> int:
    from entrypoints.outbox_cli import run_outbox_command

    return run_outbox_command(args, _settings_or_exit(require_auth=False))


def _elevenlabs(args: argparse.Namespace) -> int:
    from entrypoints.elevenlabs_cli import run_elevenlabs_command
    from entrypoints.settings import read_environment
    from entrypoints.settings_reader import read_declaration

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
    mcp.set_defaults(run=_mcp)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document as YAML")
    openapi.add_argument("--output", default="-", help="file to write (default: stdout)")
    openapi.set_defaults(run=_openapi)
    from entrypoints.outbox_cli import add_outbox_commands

    add_outbox_commands(commands)
    commands.choices["outbox"].set_defaults(run=_outbox)
    from entrypoints.elevenlabs_cli import add_elevenlabs_commands

    add_elevenlabs_commands(commands)
    commands.choices["elevenlabs"].set_defaults(run=_elevenlabs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
