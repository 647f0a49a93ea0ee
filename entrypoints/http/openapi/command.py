"""``helpdesk-bridge openapi``: write the HTTP API's OpenAPI document as YAML (what
docs/openapi.yaml holds, for the default settings)."""

from __future__ import annotations

import argparse
import sys

from entrypoints.config.command_line import Commands


def add_command(commands: Commands) -> None:
    openapi = commands.add_parser("openapi", help="write the OpenAPI document as YAML")
    openapi.add_argument("--output", default="-", help="file to write (default: stdout)")
    openapi.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from entrypoints.http.openapi.document import openapi_yaml

    text = openapi_yaml()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0
