"""``helpdesk-bridge``: the console script. Each command lives in the room it runs; this module
only lists them:

- ``serve`` (``entrypoints/serving/command.py``): the HTTP service;
- ``mcp`` (``entrypoints/mcp/command.py``): the MCP tools over stdio;
- ``hash-token``, ``outbox``, ``elevenlabs tool`` (``entrypoints/cli/``): the operator's commands;
- ``openapi`` (``entrypoints/http/openapi/command.py``): the HTTP API's description.

A command's module declares its arguments with little more than the standard library and
imports what it runs only when it runs, so ``--help`` and each command pay for their own room
alone (Claude Desktop starts ``mcp`` on every spawn). With TENANTS_FILE, ``mcp`` and ``outbox``
run on the tenant ``--tenant NAME`` names.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from entrypoints.cli import elevenlabs, hash_token, outbox
from entrypoints.http.openapi import command as openapi
from entrypoints.mcp import command as mcp
from entrypoints.serving import command as serve

COMMANDS = (serve, mcp, hash_token, openapi, outbox, elevenlabs)
"""In the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpdesk-bridge",
        description="Turn AI-agent escalations into helpdesk tickets (configuration: env / .env).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
