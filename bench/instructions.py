"""Instructions per hand-off, counted by callgrind: the service's own work on each request path,
the same from one run to the next whatever else the machine is doing.

A box shared with other work moves wrk's req/s by 20-30% from one minute to the next, so a
change of a few percent on the request path is lost in ``bench handoff``'s noise. Here each
scenario of ``bench/lua/`` is sent straight into the ASGI app in one process
(``bench/processes/asgi_load.py``) under ``valgrind --tool=callgrind``, once with no request and
once with ``--requests`` of them; the difference, divided by the count, is what one request
costs (the socket and uvicorn's protocol are left out: what the app does is what changes).
``--baseline DIR`` counts the same for another checkout and prints the ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, BenchError, say, table
from bench.processes.servers import is_checkout

SCENARIOS = ("token", "hmac", "idempotent", "invalid")
_COLLECTED = re.compile(r"Collected : (\d+)")
LOAD = ROOT / "bench" / "processes" / "asgi_load.py"
"""Run by its path (it imports only the standard library and the checkout's ``entrypoints``), so
a baseline checkout's own ``bench`` package cannot stand in for ours."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=400, help="requests per count")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="which scenarios")
    parser.add_argument("--baseline", metavar="DIR", help="also count this checkout")


def instructions(checkout: Path, scenario: str, count: int) -> int:
    """Instructions callgrind counts for one process sending ``count`` requests."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise BenchError("valgrind is needed: apt-get install -y valgrind")
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),  # that checkout's service, run by our load script
        "PYTHONHASHSEED": "0",  # the same dict and set orders in every run
    }
    with tempfile.TemporaryDirectory() as workdir:
        done = subprocess.run(
            [
                valgrind,
                "--tool=callgrind",
                f"--callgrind-out-file={workdir}/callgrind.out",
                sys.executable,
                str(LOAD),
                scenario,
                str(count),
            ],
            env=env,
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=1800,
            check=False,
        )
    found = _COLLECTED.findall(done.stderr)
    if done.returncode != 0 or not found:
        raise BenchError(f"{scenario} x{count} under callgrind failed: {done.stderr[-500:]}")
    return int(found[-1])


def per_request(checkout: Path, scenarios: list[str], count: int) -> dict[str, float]:
    floor = instructions(checkout, scenarios[0], 0)  # start-up alone: no request sent
    return {s: (instructions(checkout, s, count) - floor) / count for s in scenarios}


def run(args: argparse.Namespace) -> dict[str, object]:
    scenarios = args.scenarios.split(",")
    checkouts = {"this": ROOT}
    if args.baseline:
        if not is_checkout(args.baseline):
            raise BenchError(f"--baseline {args.baseline}: not a checkout of helpdesk-bridge")
        checkouts["baseline"] = Path(args.baseline).resolve()
    say(f"instructions per request (callgrind), {args.requests} requests per scenario")
    counted = {
        name: per_request(path, scenarios, args.requests) for name, path in checkouts.items()
    }
    rows = []
    for scenario in scenarios:
        row = [scenario, f"{counted['this'][scenario]:,.0f}"]
        if "baseline" in counted:
            before = counted["baseline"][scenario]
            row += [f"{before:,.0f}", f"{before / counted['this'][scenario]:.3f}x"]
        rows.append(row)
    headers = ["scenario", "this"] + (["baseline", "speed vs baseline"] if args.baseline else [])
    say(table(headers, rows))
    return {"per_request": counted}
