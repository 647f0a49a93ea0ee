"""Start-up and round-trip of ``helpdesk-bridge mcp`` over stdio, as Claude Desktop sees them.

    .venv/bin/python bench/mcp_startup.py [--runs 5] [--calls 300]

Prints, for STORE_BACKEND=memory and the mock helpdesk:
- spawn -> first ``tools/list`` answered (process start, imports, container, MCP handshake),
  per run and min / median over ``--runs`` fresh processes (target: under 1 s);
- tool-call round trip p50 / p99 / max over ``--calls`` calls in one session, for the pure
  ``render_note`` and for ``find_or_create_ticket`` (dedup index + mock helpdesk).

Not a test: numbers depend on the machine; compare runs on the same box.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[1]


def console_script() -> str:
    for candidate in (
        Path(sys.executable).parent / "helpdesk-bridge",
        ROOT / ".venv/bin/helpdesk-bridge",
    ):
        if candidate.exists():
            return str(candidate)
    raise SystemExit("helpdesk-bridge console script not found: pip install -e . first")


def parameters(workdir: str) -> StdioServerParameters:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "STORE_BACKEND": "memory",
        "HELPDESK_BACKEND": "mock",
        "LOG_LEVEL": "warning",
    }
    return StdioServerParameters(command=console_script(), args=["mcp"], env=env, cwd=workdir)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def first_list_seconds(workdir: str, errlog: TextIO) -> float:
    """Spawn a fresh server; seconds until its first tools/list answer arrived."""
    started = time.perf_counter()
    async with (
        stdio_client(parameters(workdir), errlog=errlog) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        tools = await session.list_tools()
        elapsed = time.perf_counter() - started
        assert len(tools.tools) == 5
    return elapsed


async def round_trips(workdir: str, calls: int, errlog: TextIO) -> dict[str, list[float]]:
    render = {
        "category": "WiFi",
        "escalationReason": "TwoStepsNoResolve",
        "summary": "Customer unable to connect to WiFi after router reset",
        "confidence": "0.85",
    }
    samples: dict[str, list[float]] = {"ingest_render_note": [], "find_or_create (dedup)": []}
    async with (
        stdio_client(parameters(workdir), errlog=errlog) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        await session.list_tools()
        for _ in range(20):  # warm-up
            await session.call_tool("ingest_render_note", render)
        for _ in range(calls):
            started = time.perf_counter()
            result = await session.call_tool("ingest_render_note", render)
            samples["ingest_render_note"].append(time.perf_counter() - started)
            assert not result.is_error
        for index in range(calls):
            arguments = {
                "description": "Caller reports the WiFi drops every evening",
                "oaKey": f"bench-{index % 20}",
            }
            started = time.perf_counter()
            result = await session.call_tool("helpdesk_find_or_create_ticket", arguments)
            samples["find_or_create (dedup)"].append(time.perf_counter() - started)
            assert not result.is_error
    return samples


async def main(runs: int, calls: int, errlog: TextIO) -> None:
    with tempfile.TemporaryDirectory() as workdir:  # no stray .env
        print(f"helpdesk-bridge mcp over stdio ({console_script()}), STORE_BACKEND=memory")
        startups = []
        for run in range(1, runs + 1):
            seconds = await first_list_seconds(workdir, errlog)
            startups.append(seconds)
            print(f"  run {run}: spawn -> first tools/list {seconds * 1000:7.1f} ms")
        print(
            f"spawn -> first tools/list: min {min(startups) * 1000:.1f} ms, "
            f"median {statistics.median(startups) * 1000:.1f} ms, "
            f"max {max(startups) * 1000:.1f} ms (target < 1000 ms)"
        )
        for tool, samples in (await round_trips(workdir, calls, errlog)).items():
            print(
                f"round trip {tool:<24} n={len(samples)}  "
                f"p50 {percentile(samples, 0.50) * 1000:6.2f} ms  "
                f"p99 {percentile(samples, 0.99) * 1000:6.2f} ms  "
                f"max {max(samples) * 1000:6.2f} ms"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes to time")
    parser.add_argument("--calls", type=int, default=300, help="calls per tool for round trips")
    args = parser.parse_args()
    with open(os.devnull, "w") as server_logs:
        anyio.run(main, args.runs, args.calls, server_logs)
