"""What every benchmark shares: ports, medians, tables, how it speaks (the servers it starts and
always stops are in bench/processes/; wrk runs are in bench/load.py).

Rules kept here so no benchmark can break them: loads go to 127.0.0.1 only, one at a time, each
bounded (<= 10 s, hard-killed a little after); every server started is stopped by its pid.
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
NODE_PEER = ROOT.parent / "shared" / "peers" / "express-node"
NODE_CACHE = Path(tempfile.gettempdir()) / "helpdesk-bridge-bench" / "express-node"
OUTBOXES = NODE_CACHE.parent / "outboxes"

TOKEN = "bench-token"  # noqa: S105 - the benchmark servers' throwaway token
SECRET = "bench-secret"  # noqa: S105 - and HMAC secret, known to the wrk scripts
MAX_RUN_SECONDS = 10


class BenchError(Exception):
    """A benchmark cannot run here (no wrk, a server that does not start): say why, exit 2."""


def say(text: str = "") -> None:
    print(text, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> str:
    """min-max of a series, for the noise column."""
    if not values:
        return "-"
    return f"{min(values):,.0f}-{max(values):,.0f}"


def python_bin() -> str:
    return sys.executable


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
