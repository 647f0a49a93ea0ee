"""The MCP Inspector's CLI (npm ``@modelcontextprotocol/inspector-cli``, built on the TypeScript
SDK that Claude Desktop uses) as a test client: one ``tools/list`` or ``tools/call`` per run.

It is installed from ``tests/inspector/package-lock.json`` by ``make inspector`` (part of
``make test``). Version 0.16.8 is pinned: it runs on Node 20, while 0.17.0 to 1.0.3 fail in
``--cli`` mode from most working directories (``ERR_MODULE_NOT_FOUND`` for ``cli/package.json``,
modelcontextprotocol/inspector#1503) and the full ``inspector`` package wants Node >= 22.7.5.

The TypeScript client checks every ``structuredContent`` against the tool's ``outputSchema``
and fails the call (exit code 1) when it does not conform: a run that exits 0 is a result the
client accepted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO_ROOT, in_ci

INSPECTOR = REPO_ROOT / "tests/inspector/node_modules/.bin/mcp-inspector-cli"
RUN_TIMEOUT_SECONDS = 60.0


def inspector_cli() -> str:
    """The installed CLI; fails under CI, skips elsewhere, when it or Node is missing."""
    problem = None
    if shutil.which("node") is None:
        problem = "node is not on PATH"
    elif not INSPECTOR.exists():
        problem = f"{INSPECTOR.relative_to(REPO_ROOT)} is missing: run `make inspector`"
    if problem is not None:
        if in_ci():
            pytest.fail(f"the MCP Inspector is required in CI: {problem}")
        pytest.skip(f"MCP Inspector not installed: {problem}")
    return str(INSPECTOR)


@dataclass(frozen=True)
class Answer:
    """One run: the JSON result the client printed (None when it failed) and its stderr."""

    returncode: int
    result: dict[str, Any] | None
    stderr: str

    def accepted(self) -> dict[str, Any]:
        """The result, asserting the TypeScript client accepted it."""
        assert self.returncode == 0, f"the Inspector refused the answer:\n{self.stderr[-2000:]}"
        assert self.result is not None
        return self.result

    def output(self) -> dict[str, Any]:
        """A successful call's structured content (checked against its JSON text)."""
        result = self.accepted()
        assert result.get("isError") is not True, result
        assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
        return dict(result["structuredContent"])

    def error(self) -> dict[str, Any]:
        """A tool error's envelope, read from its text (there is no structured content)."""
        result = self.accepted()
        assert result["isError"] is True, result
        assert "structuredContent" not in result
        envelope: dict[str, Any] = json.loads(result["content"][0]["text"])
        assert envelope["success"] is False
        return envelope


@dataclass(frozen=True)
class Target:
    """How the Inspector reaches the server: a command (stdio) or a URL (Streamable HTTP)."""

    arguments: Sequence[str]
    env: Mapping[str, str]
    cwd: Path

    def list_tools(self) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = self.run("--method", "tools/list").accepted()["tools"]
        return tools

    def call(self, tool: str, arguments: Mapping[str, Any]) -> Answer:
        """``tools/call``; each value is passed as JSON, so strings stay strings and a wrong
        type (a number, an object) reaches the server as that type."""
        pairs = [f"{name}={json.dumps(value)}" for name, value in arguments.items()]
        extra = ["--tool-arg", *pairs] if pairs else []
        return self.run("--method", "tools/call", "--tool-name", tool, *extra)

    def run(self, *options: str) -> Answer:
        completed = subprocess.run(
            [inspector_cli(), "--cli", *self.arguments, *options],
            env=dict(self.env),
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
            check=False,
        )
        result = json.loads(completed.stdout) if completed.returncode == 0 else None
        return Answer(completed.returncode, result, completed.stderr)


def stdio_target(command: str, cwd: Path, env: Mapping[str, str]) -> Target:
    """``<command> mcp`` spawned by the Inspector (with ``env``, in ``cwd``)."""
    return Target([command, "mcp"], env, cwd)


def http_target(url: str, token: str, cwd: Path, env: Mapping[str, str]) -> Target:
    """``<url>/mcp`` over Streamable HTTP with the Bearer token."""
    return Target(
        [f"{url}/mcp", "--transport", "http", "--header", f"Authorization: Bearer {token}"],
        env,
        cwd,
    )
