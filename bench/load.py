"""Bounded wrk runs against 127.0.0.1 with the Lua scripts in bench/lua/, parsed into numbers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.common import BENCH, MAX_RUN_SECONDS, BenchError

LUA = BENCH / "lua"
WRK_INSTALL = "apt-get update && apt-get install -y wrk   (Debian/Ubuntu package `wrk`)"


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    requests: int
    socket_errors: int
    statuses: Mapping[str, int] = field(default_factory=dict)


_RESULT = re.compile(r"^RESULT (.*)$", re.M)
_CHECK = re.compile(r"^CHECK status (.*)$", re.M)


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError(f"wrk is not installed; install it with:\n    {WRK_INSTALL}")
    return wrk


def wrk(
    url: str,
    script: str,
    seconds: float,
    connections: int,
    env: Mapping[str, str] | None = None,
    check: bool = False,
) -> WrkResult:
    """One bounded closed-loop wrk run (-t1: 2 cores are shared with the server)."""
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise BenchError(f"refusing a non-loopback target: {url}")
    secs = max(1, min(int(seconds), MAX_RUN_SECONDS))
    run_env = dict(os.environ)
    run_env.update(env or {})
    if check:
        run_env["CHECK"] = "1"
    argv = [require_wrk(), "-t1", f"-c{connections}", f"-d{secs}s", "--timeout", "5s"]
    argv += ["--latency", "-s", str(LUA / script), url]
    try:
        result = subprocess.run(
            argv, env=run_env, capture_output=True, text=True, timeout=secs + 15, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"wrk did not finish within {secs + 15} s") from error
    match = _RESULT.search(result.stdout)
    if match is None:
        raise BenchError(f"no RESULT from wrk: {result.stdout[-400:]} {result.stderr[-400:]}")
    values = dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
    statuses: dict[str, int] = {}
    if check and (found := _CHECK.search(result.stdout)):
        statuses = {
            k: int(v) for k, v in (p.split("=", 1) for p in found.group(1).split() if "=" in p)
        }
    return WrkResult(
        rps=float(values["rps"]),
        p50_ms=float(values["p50_ms"]),
        p99_ms=float(values["p99_ms"]),
        non2xx=int(values["non2xx"]),
        requests=int(values["requests"]),
        socket_errors=int(values["socket_errors"]),
        statuses=statuses,
    )
