"""``helpdesk-bridge``: the console script. Each command lives in the room it runs; this module
only names them, and loads the one given:

- ``serve`` (``entrypoints/serving/command.py``): the HTTP service;
- ``mcp`` (``entrypoints/mcp/command.py``): the MCP tools over stdio;
- ``hash-token``, ``outbox``, ``elevenlabs tool`` (``entrypoints/cli/``): the operator's commands;
- ``openapi`` (``entrypoints/http/openapi/command.py``): the HTTP API's description.

A command's module is imported only when that command runs (its ``add_arguments`` declares the
rest of its command line, its ``run`` does the work), so ``--help`` imports none of them and each
command pays for its own room alone: Claude Desktop starts ``mcp`` on every spawn. With
TENANTS_FILE, ``mcp`` and ``outbox`` run on the tenant ``--tenant NAME`` names.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from types import ModuleType


def _serve() -> ModuleType:
    from entrypoints.serving import command

    return command


def _mcp() -> ModuleType:
    from entrypoints.mcp import command

    return command


def _hash_token() -> ModuleType:
    from entrypoints.cli import hash_token

    return hash_token


def _openapi() -> ModuleType:
    from entrypoints.http.openapi import command

    return command


def _outbox() -> ModuleType:
    from entrypoints.cli import outbox

    return outbox


def _elevenlabs() -> ModuleType:
    from entrypoints.cli import elevenlabs

    return elevenlabs


COMMANDS: dict[str, tuple[str, Callable[[], ModuleType]]] = {
    "serve": ("run the HTTP service (webhook, health, /mcp)", _serve),
    "mcp": ("run the MCP server over stdio (Claude Desktop); logs go to stderr", _mcp),
    "hash-token": (
        "print sha256:<hex> of the token read from stdin (for auth_tokens)",
        _hash_token,
    ),
    "openapi": ("write the OpenAPI document as YAML", _openapi),
    "outbox": ("list, retry or drop queued hand-offs", _outbox),
    "elevenlabs": ("ElevenLabs agent set-up (tool JSON)", _elevenlabs),
}
"""Each command's one-line help and its module, in the order ``--help`` lists them."""


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The command line; only the ``chosen`` command's module is loaded to declare the rest."""
    parser = argparse.ArgumentParser(
        prog="helpdesk-bridge",
        description="Turn AI-agent escalations into helpdesk tickets (configuration: env / .env).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (summary, load) in COMMANDS.items():
        command = commands.add_parser(name, help=summary, description=summary)
        if name == chosen:
            load().add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = next((word for word in arguments if not word.startswith("-")), None)
    args = build_parser(chosen).parse_args(arguments)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
