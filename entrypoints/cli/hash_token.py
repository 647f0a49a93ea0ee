"""``helpdesk-bridge hash-token``: the ``sha256:<hex>`` line a tenants file's ``auth_tokens``
holds for a token.

The token is read from stdin - piped (``printf %s "$TOKEN" | helpdesk-bridge hash-token``) or
typed at a prompt that does not echo it - never from the command line, so it stays out of shell
history and process listings. Surrounding whitespace (the newline) is dropped, as the bridge
drops it from a token it is given.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import sys
from typing import TextIO

PREFIX = "sha256:"


def token_hash(token: str) -> str:
    """``sha256:<hex>`` of ``token`` (what the bridge compares a presented token's hash with)."""
    return PREFIX + hashlib.sha256(token.encode()).hexdigest()


def add_arguments(hash_token: argparse.ArgumentParser) -> None:
    hash_token.set_defaults(run=run)


def run(_args: argparse.Namespace) -> int:
    return run_hash_token(sys.stdin, sys.stdout, sys.stderr)


def run_hash_token(stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Print the hash of the one token on ``stdin``; exit code 2 for none, or for several."""
    if stdin.isatty():
        text = getpass.getpass("token (not echoed): ", stream=stderr)
    else:
        text = stdin.read()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        found = "no token" if not lines else f"{len(lines)} lines"
        print(
            f"helpdesk-bridge: hash-token reads one token from stdin, found {found} "
            '(e.g. printf %s "$TOKEN" | helpdesk-bridge hash-token)',
            file=stderr,
        )
        return 2
    print(token_hash(lines[0]), file=stdout)
    return 0
