"""``helpdesk-bridge elevenlabs tool``: print an ElevenLabs webhook tool for this bridge.

The output is the JSON body of ElevenLabs' ``POST /v1/convai/tools`` (see docs/elevenlabs.md);
the agent's wait (``response_timeout_secs``) is derived from HANDOFF_DEADLINE_SECONDS and the
dedup window named in its description from DEDUP_TTL_SECONDS, read from the environment and
``.env`` as the service reads them. No credentials are needed or printed: the token is referred to
by the id of the ElevenLabs workspace secret that holds it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from entrypoints.cli.elevenlabs_tool import (
    DEFAULT_NAMES,
    KINDS,
    MAX_TIMEOUT_SECONDS,
    NETWORK_MARGIN_SECONDS,
    SECRET_PLACEHOLDER,
    fits_timeout,
    tool_request,
)
from entrypoints.config.command_line import exit_on_config_error
from entrypoints.config.reader import read_declaration
from entrypoints.config.settings import ConfigError, Settings, read_environment

_URL = re.compile(r"^https?://[^\s/?#]+(?:/[^\s?#]*)?$")
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # ElevenLabs' rule for tool names


def add_arguments(elevenlabs: argparse.ArgumentParser) -> None:
    """``elevenlabs tool --url URL [--kind handoff|status] [--secret-id ID] [--name NAME]``."""
    actions = elevenlabs.add_subparsers(dest="action", required=True)
    tool = actions.add_parser(
        "tool", help="print the body of POST /v1/convai/tools for a webhook tool of this bridge"
    )
    tool.add_argument("--url", required=True, help="the bridge's public base URL (https://...)")
    tool.add_argument(
        "--kind",
        choices=KINDS,
        default="handoff",
        help="handoff: file a ticket (POST /ingest/oa-handoff, the default); "
        "status: look up the caller's tickets (POST /ingest/ticket-status)",
    )
    tool.add_argument(
        "--secret-id",
        default=None,
        help="id of the ElevenLabs workspace secret holding AUTH_TOKEN (sent as x-auth-token)",
    )
    tool.add_argument(
        "--name",
        default=None,
        help=f"tool name (default {DEFAULT_NAMES['handoff']} / {DEFAULT_NAMES['status']})",
    )
    elevenlabs.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """The settings the tool depends on, then the tool. Only the deadline and the dedup window
    are read: no token or helpdesk is needed to describe the tool, but a malformed value still
    stops here as it would stop the service."""
    try:
        settings = read_declaration(Settings, read_environment())
    except ConfigError as error:
        raise exit_on_config_error(error) from None
    return print_tool(args, settings)


def print_tool(args: argparse.Namespace, settings: Settings) -> int:
    """Print the tool JSON on stdout (warnings on stderr); 2 for an unusable argument."""
    url = args.url.strip()
    if not _URL.fullmatch(url):
        return _refuse(f"--url must be the bridge's http(s) base URL (got {url!r})")
    if args.name is not None and not _NAME.fullmatch(args.name):
        return _refuse("--name must be 1-64 letters, digits, _ or - (ElevenLabs' rule)")
    if url.startswith("http://"):
        _warn("--url is http://: ElevenLabs calls tools over the internet; use https://")
    if not args.secret_id:
        _warn(f"no --secret-id: replace {SECRET_PLACEHOLDER} with the secret's id before posting")
    deadline = settings.handoff_deadline_seconds
    if not fits_timeout(deadline):
        _warn(
            f"HANDOFF_DEADLINE_SECONDS={deadline:g} + {NETWORK_MARGIN_SECONDS:g} s exceeds "
            f"ElevenLabs' longest tool timeout ({MAX_TIMEOUT_SECONDS} s): the agent may stop "
            "waiting before the bridge answers; lower the deadline"
        )
    body = tool_request(
        args.kind,
        url,
        secret_id=args.secret_id,
        name=args.name,
        deadline_seconds=deadline,
        dedup_window_seconds=settings.dedup_ttl_seconds,
    )
    sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    return 0


def _refuse(message: str) -> int:
    print(f"helpdesk-bridge: {message}", file=sys.stderr)
    return 2


def _warn(message: str) -> None:
    print(f"helpdesk-bridge: warning: {message}", file=sys.stderr)
