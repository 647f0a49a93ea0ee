"""Start-up, as a user meets it, each case against its own floor, interleaved start by start:

- ``help``: ``helpdesk-bridge --help`` to its exit, against ``python -c "import litestar"`` (the
  web stack alone): the command line needs no web stack (target: at most half of it);
- ``serve``: ``helpdesk-bridge serve`` spawned -> first 200 on ``/healthz``, exactly as
  production starts it, against the floor (a bare Litestar app on the same server settings,
  ``bench/processes/floor_app.py``) (target: within 1.5x);
- ``mcp``: ``helpdesk-bridge mcp`` spawned -> its first ``tools/list`` answered over stdio (what
  Claude Desktop waits for on every spawn), against the MCP floor: the SDK's bare low-level
  server with one tool (``bench/processes/mcp_floor.py``; target: within 1.5x). The SDK's own
  import takes longer than the whole start of the bare Litestar app, so the ratio to that floor
  is printed too, for information: no server on the SDK can reach 1.5x of it.

``--baseline DIR`` adds the same three from another checkout (before/after). The median of
``--repeat`` starts is reported; the idle RSS is read right after the last ``/healthz``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client

from bench.common import BenchError, free_port, median, say, table
from bench.processes.servers import (
    Server,
    bridge_env,
    bridge_server,
    console_script,
    is_checkout,
    module_server,
)

HELP_SHARE = 0.5
START_RATIO = 1.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=7, help="starts per case (median)")
    parser.add_argument("--baseline", metavar="DIR", help="also time this checkout (before/after)")
    parser.add_argument("--logs", metavar="DIR", help="keep the servers' stderr in DIR")


def _timed(argv: list[str], env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as workdir:  # no stray .env
        started = time.perf_counter()
        subprocess.run(argv, env=env, cwd=workdir, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started


def _served(make: Callable[[], Server], rss: dict[str, float], name: str) -> float:
    server = make()
    server.start()
    try:
        seconds = server.wait_ready(timeout=30)
        rss[name] = server.rss_mib()
        return seconds
    finally:
        server.stop()


async def _first_tools_list(argv: list[str], env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as workdir, Path(os.devnull).open("w") as logs:  # noqa: ASYNC230 - /dev/null does not block
        parameters = StdioServerParameters(command=argv[0], args=argv[1:], env=env, cwd=workdir)
        started = time.perf_counter()
        async with (
            stdio_client(parameters, errlog=logs) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            listed = await session.list_tools()
            seconds = time.perf_counter() - started
        if not listed.tools:
            raise BenchError("helpdesk-bridge mcp listed no tools")
        return seconds


def cases(args: argparse.Namespace, rss: dict[str, float]) -> dict[str, Callable[[], float]]:
    """What each start measures, by name; run in turn, start after start."""
    env = bridge_env()
    found: dict[str, Callable[[], float]] = {
        "import litestar": lambda: _timed([sys.executable, "-c", "import litestar"], env),
        "floor": lambda: _served(
            lambda: module_server("floor", "bench.processes.floor_app", free_port(), args.logs),
            rss,
            "floor",
        ),
        "mcp floor": lambda: anyio.run(
            _first_tools_list, [sys.executable, "-m", "bench.processes.mcp_floor"], env
        ),
    }
    checkouts: dict[str, Path | None] = {"": None}
    if args.baseline:
        if not is_checkout(args.baseline):
            raise BenchError(f"--baseline {args.baseline}: not a checkout of helpdesk-bridge")
        checkouts["baseline "] = Path(args.baseline).resolve()
    for label, checkout in checkouts.items():
        own = {**env, "PYTHONPATH": str(checkout)} if checkout else env
        extra = {"PYTHONPATH": str(checkout)} if checkout else {}
        script = console_script(checkout)
        found[f"{label}help"] = lambda s=script, e=own: _timed([*s, "--help"], e)
        found[f"{label}serve"] = lambda x=extra, n=f"{label}serve": _served(
            lambda: bridge_server(free_port(), args.logs, **x), rss, n
        )
        found[f"{label}mcp"] = lambda s=script, e=own: anyio.run(_first_tools_list, [*s, "mcp"], e)
    return found


def run(args: argparse.Namespace) -> dict[str, object]:
    rss: dict[str, float] = {}
    timers = cases(args, rss)
    seconds: dict[str, list[float]] = {name: [] for name in timers}
    say(f"start-up, {args.repeat} starts of each case, interleaved")
    for _ in range(args.repeat):
        for name, timer in timers.items():
            seconds[name].append(timer())
    medians = {name: median(values) for name, values in seconds.items()}
    say(
        table(
            ["case", "median ms", "range ms", "idle RSS MiB"],
            [
                [
                    name,
                    f"{medians[name] * 1000:.0f}",
                    f"{min(values) * 1000:.0f}-{max(values) * 1000:.0f}",
                    f"{rss[name]:.1f}" if name in rss else "",
                ]
                for name, values in seconds.items()
            ],
        )
    )
    say("\ntargets:")
    for label in ("", "baseline ") if args.baseline else ("",):
        checks = [
            (
                "help / import litestar",
                medians[f"{label}help"] / medians["import litestar"],
                HELP_SHARE,
            ),
            ("serve / floor", medians[f"{label}serve"] / medians["floor"], START_RATIO),
            ("mcp / mcp floor", medians[f"{label}mcp"] / medians["mcp floor"], START_RATIO),
        ]
        for what, ratio, goal in checks:
            verdict = "ok" if ratio <= goal else "MISSED"
            say(f"  {label}{what}: {ratio:.2f} (goal <= {goal}) {verdict}")
        ratio = medians[f"{label}mcp"] / medians["floor"]
        say(f"  {label}mcp / floor (the bare Litestar app; information): {ratio:.2f}")
    return {"seconds": seconds, "medians": medians, "rss_idle_mib": rss}
