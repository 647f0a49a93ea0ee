"""Helpers for the in-process MCP tests (``mcp.Client(server)``, the SDK's real client)."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.types import CallToolResult, Tool

from entrypoints.bootstrap.container import Container, build_container
from entrypoints.config.settings import load_settings
from entrypoints.mcp.contract import tool_names

NAMES = tool_names("underscore")
NOTE = (
    "Category: Outage\nReason: TwoStepsNoResolve\n"
    "Summary: Complete service outage affecting multiple customers\nConfidence: 0.95"
)
RENDER = {
    "category": "WiFi",
    "escalationReason": "Other",
    "summary": "Slow WiFi upstairs",
    "confidence": "0.5",
}


@cache
def _scratch() -> tempfile.TemporaryDirectory[str]:
    """One folder per test process for the containers' outbox files, removed when the process
    exits (a folder per container, never removed, left thousands behind in the temp dir)."""
    return tempfile.TemporaryDirectory(prefix="hdb-mcp-")


def container_for(**env: str) -> Container:
    """A container on embedded defaults (mock helpdesk, memory stores, an outbox file of its
    own) plus ``env``."""
    outbox = Path(tempfile.mkdtemp(dir=_scratch().name)) / "outbox.sqlite3"
    values = {"OUTBOX_PATH": str(outbox), **env}
    return build_container(load_settings(values, env_file="/nonexistent/.env", require_auth=False))


async def tools_by_name(client: Client) -> dict[str, Tool]:
    return {tool.name: tool for tool in (await client.list_tools()).tools}


def structured(result: CallToolResult) -> dict[str, Any]:
    """A successful result's structured content; the text block carries the same JSON, so
    clients that ignore structuredContent see it all."""
    assert result.is_error is False, result
    assert result.structured_content is not None
    text = result.content[0]
    assert text.type == "text"
    assert json.loads(text.text) == result.structured_content
    return dict(result.structured_content)


def error_of(result: CallToolResult) -> dict[str, Any]:
    """A tool error's envelope: only as text, never as structured content (which would have to
    match the success schema), and never a traceback."""
    assert result.is_error is True
    assert result.structured_content is None
    text = result.content[0]
    assert text.type == "text"
    body: dict[str, Any] = json.loads(text.text)
    assert body["success"] is False
    assert "Traceback" not in text.text
    return body
