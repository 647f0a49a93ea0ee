"""The environment of an e2e process: the suite's secrets, a clean environment, a free port,
the console script, and one-shot CLI runs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

TOKEN = "e2e-token-5f1c9a7d2b8e4c6a"
SECRET = "e2e-webhook-secret-9d3b7f1e"
DEFAULT_STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0

# Config variables the service reads: never inherited from the shell running the tests.
_CONFIG_NAMES = frozenset(
    {
        "HOST",
        "PORT",
        "AUTH_TOKEN",
        "AUTH_TOKEN_FILE",
        "WEBHOOK_SECRET",
        "WEBHOOK_SECRET_FILE",
        "FORWARDED_ALLOW_IPS",
        "MAX_BODY_BYTES",
        "TENANTS_FILE",
        "HEADER_TIMEOUT_SECONDS",
        "BODY_TIMEOUT_SECONDS",
        "KEEPALIVE_TIMEOUT_SECONDS",
        "MAX_CONNECTIONS",
        "MAX_HEADER_BYTES",
        "MAX_HEADER_FIELDS",
    }
)
_CONFIG_PREFIXES = (
    "HELPDESK_",
    "STORE_",
    "REDIS_",
    "ZENDESK_",
    "RT_",
    "MOCK_HELPDESK_",
    "LOG_",
    "RATE_LIMIT",
    "IDEMPOTENCY_",
    "DEDUP_",
    "HMAC_",
    "MCP_",
    "OUTBOX_",
    "HANDOFF_",
    "PUBLIC_",
)
_PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def executable() -> str:
    """The ``helpdesk-bridge`` console script of the interpreter running the tests."""
    beside = Path(sys.executable).with_name("helpdesk-bridge")
    if beside.is_file():
        return str(beside)
    found = shutil.which("helpdesk-bridge")
    if found is None:  # pragma: no cover - the package is installed editable in the venv
        pytest.fail("helpdesk-bridge console script not found (pip install -e .)")
    return found


def free_port() -> int:
    """A port that was free a moment ago (start-up retries if another process takes it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_environment(
    overrides: Mapping[str, str | None] | None = None, port: int | None = None
) -> dict[str, str]:
    """The environment a service process gets: the shell's minus config, defaults, overrides."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _CONFIG_NAMES
        and not name.startswith(_CONFIG_PREFIXES)
        and name.lower() not in _PROXY_NAMES
    }
    env.update(
        {
            "HOST": "127.0.0.1",
            "AUTH_TOKEN": TOKEN,
            "WEBHOOK_SECRET": SECRET,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if port is not None:
        env["PORT"] = str(port)
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_cli(
    args: Sequence[str],
    env: Mapping[str, str | None] | None = None,
    timeout: float = 30.0,
    dotenv: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``helpdesk-bridge <args>`` to completion (for commands that must exit on their own),
    in an empty directory, or one holding ``dotenv`` as its ``.env`` file."""
    with tempfile.TemporaryDirectory(prefix="hdb-e2e-cli-") as cwd:
        if dotenv is not None:
            Path(cwd, ".env").write_text(dotenv, encoding="utf-8")
        return subprocess.run(
            [executable(), *args],
            env=service_environment(env),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
