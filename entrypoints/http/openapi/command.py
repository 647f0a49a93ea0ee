"""``helpdesk-bridge openapi``: write the HTTP API's OpenAPI document as YAML (what
docs/openapi.yaml holds, for the default settings)."""

from __future__ import annotations

import argparse
import sys


def add_arguments(openapi: argparse.ArgumentParser) -> None:
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
