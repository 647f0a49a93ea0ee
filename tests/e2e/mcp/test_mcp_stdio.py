"""``helpdesk-bridge mcp`` as Claude Desktop runs it: a real process over stdio, the SDK client."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.e2e.mcp_clients import (
    base_env,
    console_script,
    exercise_every_tool,
    stdio_session,
    stop,
    structured,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]


@pytest.mark.parametrize("style", ["underscore", "dotted"])
async def test_every_tool_over_stdio(tmp_path: Path, style: str) -> None:
    errlog_path = tmp_path / "mcp.stderr"
    with errlog_path.open("w") as errlog:
        async with stdio_session(tmp_path, errlog, MCP_TOOL_NAME_STYLE=style) as session:
            await exercise_every_tool(session, style)
    # Logs went to stderr, as JSON lines, with the caller's number redacted.
    lines = [json.loads(line) for line in errlog_path.read_text().splitlines() if line.strip()]
    events = [line["event"] for line in lines]
    assert "mcp.stdio_starting" in events
    assert "mcp.tool_call" in events
    assert "+12345678900" not in errlog_path.read_text()


async def test_needs_no_auth_token(tmp_path: Path) -> None:
    with (tmp_path / "mcp.stderr").open("w") as errlog:
        async with stdio_session(tmp_path, errlog, AUTH_TOKEN="", WEBHOOK_SECRET="") as session:
            result = await session.call_tool(
                "ingest_render_note",
                {
                    "category": "Outage",
                    "escalationReason": "SafetyRisk",
                    "summary": "Downed line in the caller's yard",
                    "confidence": "1.0",
                },
            )
            assert structured(result)["success"] is True


def test_stdout_carries_nothing_but_protocol(tmp_path: Path) -> None:
    """Raw bytes, no SDK client: every line on stdout is one JSON-RPC message."""
    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "helpdesk_append_note", "arguments": {"ticketId": "X"}},
        },
    ]
    stderr_path = tmp_path / "mcp.stderr"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [console_script(), "mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=base_env(LOG_LEVEL="debug"),
            cwd=tmp_path,
        )
        try:
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.write("".join(json.dumps(message) + "\n" for message in requests))
            process.stdin.flush()
            messages = []
            while not any(message.get("id") == 3 for message in messages):
                line = process.stdout.readline()
                assert line, "stdout closed before the last answer"
                messages.append(json.loads(line))  # anything but JSON-RPC fails here
            process.stdin.close()
            assert process.wait(timeout=15) == 0
            assert process.stdout.read() == ""
        finally:
            stop(process)
    assert all(message["jsonrpc"] == "2.0" for message in messages)
    by_id = {message["id"]: message for message in messages if "id" in message}
    assert len(by_id[2]["result"]["tools"]) == 7
    assert by_id[3]["result"]["isError"] is True
    assert "structuredContent" not in by_id[3]["result"]
    assert json.loads(by_id[3]["result"]["content"][0]["text"])["code"] == "VALIDATION_ERROR"
    assert "mcp.stdio_starting" in stderr_path.read_text()


def test_bad_configuration_is_one_line_on_stderr(tmp_path: Path) -> None:
    completed = subprocess.run(
        [console_script(), "mcp"],
        input="",
        capture_output=True,
        text=True,
        env=base_env(MCP_TOOL_NAME_STYLE="camel"),
        cwd=tmp_path,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "MCP_TOOL_NAME_STYLE" in completed.stderr
