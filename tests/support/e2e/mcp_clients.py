"""Spawn helpers for the MCP end-to-end tests (and bench/mcp_startup.py): the real console
script over stdio, and a real ``helpdesk-bridge serve`` on a free port for Streamable HTTP.

Every process started here is stopped (terminate, then kill) when its context exits.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import IO, Any

import httpx2
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.support.paths import REPO_ROOT

TOKEN = "e2e-mcp-token-0123456789abcdef"
START_TIMEOUT_SECONDS = 20.0


def console_script() -> str:
    """``.venv/bin/helpdesk-bridge`` (the console script of the interpreter running the tests)."""
    for candidate in (
        Path(sys.executable).parent / "helpdesk-bridge",
        REPO_ROOT / ".venv/bin/helpdesk-bridge",
    ):
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("helpdesk-bridge console script not found: pip install -e . first")


def base_env(**overrides: str) -> dict[str, str]:
    """A clean environment for a child: memory stores, mock helpdesk, JSON logs, no .env."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "HELPDESK_BACKEND": "mock",
        "STORE_BACKEND": "memory",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "info",
    }
    env.update(overrides)
    return env


def stdio_parameters(cwd: Path, **env: str) -> StdioServerParameters:
    """``helpdesk-bridge mcp`` as Claude Desktop runs it (``cwd`` should hold no ``.env``)."""
    return StdioServerParameters(
        command=console_script(), args=["mcp"], env=base_env(**env), cwd=str(cwd)
    )


@asynccontextmanager
async def stdio_session(cwd: Path, errlog: IO[str], **env: str) -> AsyncIterator[ClientSession]:
    """An initialized SDK session with a freshly spawned ``helpdesk-bridge mcp``."""
    async with AsyncExitStack() as stack:
        read, write = await stack.enter_async_context(
            stdio_client(stdio_parameters(cwd, **env), errlog=errlog)
        )
        session = await stack.enter_async_context(ClientSession(read, write))
        await session.initialize()
        yield session


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(cwd: Path, log_path: Path, **env: str) -> Iterator[str]:
    """A real ``helpdesk-bridge serve`` on a free port; yields its base URL once /healthz is up."""
    port = free_port()
    child_env = base_env(AUTH_TOKEN=TOKEN, HOST="127.0.0.1", PORT=str(port), **env)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [console_script(), "serve"],
            cwd=cwd,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base_url, process, log_path)
            yield base_url
        finally:
            stop(process)


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_healthy(base_url: str, process: subprocess.Popen[Any], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited early:\n{log_path.read_text()}")
        try:
            if httpx2.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"serve did not become healthy:\n{log_path.read_text()}")


@asynccontextmanager
async def http_session(
    base_url: str, token: str = TOKEN, headers: Mapping[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    """An initialized SDK session over Streamable HTTP at ``<base_url>/mcp`` with the token."""
    all_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(
            httpx2.AsyncClient(headers=all_headers, timeout=15)
        )
        streams = await stack.enter_async_context(
            streamable_http_client(f"{base_url}/mcp", http_client=client)
        )
        session = await stack.enter_async_context(ClientSession(streams[0], streams[1]))
        await session.initialize()
        yield session


def structured(result: Any) -> dict[str, Any]:
    """The result's structured content, checked against its JSON text block."""
    assert result.structured_content is not None
    assert json.loads(result.content[0].text) == result.structured_content
    return dict(result.structured_content)


def error_of(result: Any) -> dict[str, Any]:
    """A tool error's envelope: JSON text only, no structured content."""
    assert result.is_error is True
    assert result.structured_content is None
    return dict(json.loads(result.content[0].text))


def names_for(style: str) -> dict[str, str]:
    dotted = {
        "create_ticket": "helpdesk.create_ticket",
        "append_note": "helpdesk.append_note",
        "find_or_create_ticket": "helpdesk.find_or_create_ticket",
        "render_note": "ingest.render_note",
        "oa_handoff": "ingest.oa_handoff",
        "get_handoff": "helpdesk.get_handoff",
        "get_ticket_status": "helpdesk.get_ticket_status",
    }
    if style == "dotted":
        return dotted
    return {key: name.replace(".", "_") for key, name in dotted.items()}


async def exercise_every_tool(session: ClientSession, style: str) -> None:
    """The scenario both transports must pass: list, call each tool, dedup, append to the ticket
    found, refuse bad input and an unknown ticket as tool errors, and keep serving."""
    names = names_for(style)
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert sorted(tools) == sorted(names.values())
    for tool in tools.values():
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None
        assert tool.annotations is not None
    handoff_schema = tools[names["oa_handoff"]].input_schema["properties"]
    assert handoff_schema["callerNumber"]["type"] == "string"
    assert "WiFi" in handoff_schema["category"]["enum"]

    rendered = structured(
        await session.call_tool(
            names["render_note"],
            {
                "category": "WiFi",
                "escalationReason": "TwoStepsNoResolve",
                "summary": "Customer unable to connect to WiFi after router reset",
                "confidence": "0.85",
            },
        )
    )
    assert rendered["charCount"] == 120
    assert rendered["lineCount"] == 4

    handoff = structured(
        await session.call_tool(
            names["oa_handoff"],
            {"note": rendered["note"], "callerNumber": "+12345678900", "oaKey": "oa-e2e-1"},
        )
    )
    assert handoff["created"] is True
    assert handoff["echo"] == {"oaKey": "oa-e2e-1", "callerNumber": "+12345678900"}

    found = structured(
        await session.call_tool(
            names["find_or_create_ticket"],
            {
                "description": "Caller is back: WiFi still down after router reset",
                "category": "WiFi",
                "callerNumber": "+12345678900",
                "oaKey": "oa-e2e-1",
            },
        )
    )
    assert found["created"] is False
    assert found["ticketId"] == handoff["ticketId"]
    assert found["message"] == "Existing ticket found (deduplication)"

    appended = structured(
        await session.call_tool(
            names["append_note"],
            {"ticketId": found["ticketId"], "note": "Caller confirmed the router was reset twice"},
        )
    )
    assert appended == {
        "success": True,
        "message": "Note appended successfully",
        "ticketId": found["ticketId"],
    }

    created = structured(
        await session.call_tool(
            names["create_ticket"],
            {"description": "Equipment return requested for the old modem", "source": "ATOM"},
        )
    )
    assert created["ticketId"] != found["ticketId"]
    assert created["category"] == "EquipmentReturn"

    bad = await session.call_tool(
        names["oa_handoff"], {"note": rendered["note"], "callerNumber": "555-1234"}
    )
    assert error_of(bad)["code"] == "VALIDATION_ERROR"
    assert "callerNumber" in error_of(bad)["details"]

    unknown = await session.call_tool(
        names["append_note"], {"ticketId": "TKT-999999", "note": "Is anybody out there?"}
    )
    assert error_of(unknown)["code"] == "TICKET_NOT_FOUND"

    # Still alive after the errors.
    again = structured(
        await session.call_tool(
            names["find_or_create_ticket"],
            {"description": "Same problem, third time", "oaKey": "oa-e2e-1"},
        )
    )
    assert again["ticketId"] == handoff["ticketId"]
    await session.send_ping()
