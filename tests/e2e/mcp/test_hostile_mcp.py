"""Hostile MCP clients against real processes: over stdio and ``/mcp`` every malformed message is
answered with a JSON-RPC error and one log line that does not quote it, the session answers
``tools/list`` afterwards, deep arguments are a VALIDATION_ERROR, and error results stay small.

Raw lines on the process's stdin (and raw POSTs to ``/mcp``), plus the SDK's own clients.
"""

from __future__ import annotations

import asyncio
import json
import re
import select
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp.shared.exceptions import MCPError

from entrypoints.mcp.tools import TOOLS
from tests.support.e2e.mcp_clients import (
    TOKEN,
    base_env,
    console_script,
    error_of,
    http_session,
    serving,
    stdio_session,
    stop,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

MARKER = "MARKER-8f2c1d"  # inside every malformed message: must never reach the log
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "hostile", "version": "1"},
    },
}
# line -> (JSON-RPC error code, id the answer carries)
MALFORMED: dict[str, tuple[bytes, int, Any]] = {
    "not JSON": (f"hello {MARKER}".encode(), -32700, None),
    "truncated JSON": (f'{{"jsonrpc":"2.0","id":5,"method":"{MARKER}'.encode(), -32700, None),
    "not UTF-8": (b'{"jsonrpc":"2.0","id":6,"method":"\xff\xfe"}', -32700, None),
    "no method": (json.dumps({"jsonrpc": "2.0", "id": 7, "x": MARKER}).encode(), -32600, 7),
    "wrong version": (
        json.dumps({"jsonrpc": "1.0", "id": "s8", "method": MARKER}).encode(),
        -32600,
        "s8",
    ),
    "an array": (json.dumps([1, MARKER]).encode(), -32600, None),
    "3,000 levels": (b"[" * 3_000 + MARKER.encode() + b"]" * 3_000, -32600, None),
    "3,000 levels, valid JSON": (b'{"a":' * 3_000 + b"1" + b"}" * 3_000, -32600, None),
    "6 MB line": (
        b'{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"x":"'
        + MARKER.encode() * 500_000
        + b'"}}',
        -32600,
        "big",
    ),
}
DEEP_METADATA = {"summary": "Internet down at home since this morning", "metadata": {}}
cursor: dict[str, Any] = DEEP_METADATA["metadata"]
for _ in range(40):
    cursor["a"] = {}
    cursor = cursor["a"]
HUGE_METADATA = {
    "summary": "Internet down at home since this morning",
    "description": "The caller's internet connection has been down since this morning",
    "metadata": {f"k{i}": "v" * 10 for i in range(50_000)},
}
MANY_WRONG = {
    name: [1]
    for name in ("description", "category", "escalationReason", "callerNumber", "source", "oaKey")
} | {"metadata": "not an object"}
MAX_ERROR_BYTES = 4_096


class StdioPeer:
    """``helpdesk-bridge mcp`` driven by raw lines; every answer read with a deadline."""

    def __init__(self, cwd: Path) -> None:
        self.stderr_path = cwd / "mcp.stderr"
        self._stderr = self.stderr_path.open("w")
        self.process = subprocess.Popen(
            [console_script(), "mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=base_env(),
            cwd=cwd,
        )

    def send(self, line: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + b"\n")
        self.process.stdin.flush()

    def answer(self, timeout: float = 10.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, "no answer within the deadline"
        line = self.process.stdout.readline()
        assert line, "stdout closed"
        return dict(json.loads(line))

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        self.send(json.dumps(message).encode())
        return self.answer()

    def close(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            return self.process.wait(timeout=15)
        finally:
            stop(self.process)
            self._stderr.close()

    def log(self) -> list[dict[str, Any]]:
        text = self.stderr_path.read_text()
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_every_malformed_stdio_line_is_answered_and_the_session_goes_on(tmp_path):
    peer = StdioPeer(tmp_path)
    try:
        assert "result" in peer.call(INITIALIZE)
        peer.send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')
        for number, (case, (line, code, request_id)) in enumerate(MALFORMED.items(), start=1):
            peer.send(line)
            answer = peer.answer()
            assert answer["error"]["code"] == code, case
            assert answer["id"] == request_id, case
            assert MARKER not in json.dumps(answer), case
            listed = peer.call({"jsonrpc": "2.0", "id": 100 + number, "method": "tools/list"})
            assert listed["id"] == 100 + number
            assert len(listed["result"]["tools"]) == len(TOOLS), case
    finally:
        exit_code = peer.close()
    assert exit_code == 0
    records = peer.log()
    malformed = [r for r in records if r.get("event") == "mcp.malformed_message"]
    assert len(malformed) == len(MALFORMED)
    assert MARKER not in peer.stderr_path.read_text()
    assert "Traceback" not in peer.stderr_path.read_text()


async def test_deep_and_huge_arguments_are_small_validation_errors_over_stdio(tmp_path):
    with (tmp_path / "mcp.stderr").open("w") as errlog:
        async with stdio_session(tmp_path, errlog) as session:
            await _deep_and_huge_arguments(session)


async def test_malformed_bodies_on_mcp_over_http_are_json_rpc_errors(tmp_path):
    log_path = tmp_path / "serve.log"
    with serving(tmp_path, log_path, RATE_LIMIT_PER_SECOND="100000") as base_url:
        headers = {
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        }
        async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=10) as client:
            for case, (body, code, request_id) in MALFORMED.items():
                if len(body) > 65_536:  # larger than MAX_BODY_BYTES: the envelope's 413
                    response = await client.post("/mcp", content=body, headers=headers)
                    assert response.status_code == 413, case
                    continue
                response = await client.post("/mcp", content=body, headers=headers)
                assert response.status_code == 400, case
                answer = response.json()
                assert answer["error"]["code"] == code, case
                assert answer["id"] == request_id, case
                assert MARKER not in response.text, case
        async with http_session(base_url) as session:
            assert len((await session.list_tools()).tools) == len(TOOLS)
            await _deep_and_huge_arguments(session, over_http=True)
        await asyncio.sleep(0.2)  # the access lines follow the answers
    text = log_path.read_text()
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    codes = [r.get("error_code") for r in records if r.get("route") == "mcp"]
    assert codes.count("MCP_PARSE_ERROR") == 3
    assert codes.count("MCP_INVALID_REQUEST") == 5
    assert codes.count("PAYLOAD_TOO_LARGE") == 3
    assert MARKER not in text
    assert "Traceback" not in text


async def _deep_and_huge_arguments(session: Any, *, over_http: bool = False) -> None:
    """Deep, huge and many-times-wrong arguments; over HTTP the 50,000 keys are a body past
    MAX_BODY_BYTES, refused as a protocol error (413) before any tool sees them."""
    deep = error_of(await session.call_tool("helpdesk_create_ticket", DEEP_METADATA))
    assert deep["code"] == "VALIDATION_ERROR"
    assert "JSON nested deeper than 32 levels" in deep["message"]
    huge = [HUGE_METADATA, {"category": "x" * 100_000}]
    if over_http:
        for arguments in huge:
            with pytest.raises(MCPError, match="larger than 65536 bytes"):
                await session.call_tool("helpdesk_create_ticket", arguments)
        huge = [{"category": "x" * 60_000}]
    for arguments in [*huge, MANY_WRONG]:
        result = await session.call_tool("helpdesk_create_ticket", arguments)
        envelope = error_of(result)
        assert envelope["code"] == "VALIDATION_ERROR"
        assert len(result.content[0].text.encode()) <= MAX_ERROR_BYTES
    many = error_of(await session.call_tool("helpdesk_create_ticket", MANY_WRONG))
    assert re.search(r"; and [1-9]\d* more\.", many["message"]), many["message"]
    assert len((await session.list_tools()).tools) == len(TOOLS)
