"""Hand-off throughput of one server process: STORE_BACKEND=redis against memory, same load.

    .venv/bin/python -m bench.redis_vs_memory            # 3 interleaved rounds of 4 s each
    .venv/bin/python bench/redis_vs_memory.py --seconds 3 --rounds 2 --connections 32

Starts two ``helpdesk-bridge serve`` processes on 127.0.0.1 (one per backend, one uvicorn worker
each, the mock helpdesk without latency, a rate limit that never bites), warms both up, then
runs the same load against them in turns (memory, redis, memory, redis, ...) so that the noise
of a shared machine hits both alike, and prints req/s, p50 and p99 per backend (median of the
rounds) and the ratio. The load is wrk (``apt-get install wrk``) with
``bench/redis_vs_memory.lua``: valid hand-offs with 500 rotating oaKeys per run, so the first
500 requests file tickets and the rest are deduplicated. Without wrk a small asyncio + httpx
generator stands in (it shares the 2 cores with the server: compare only the ratio).

Loopback only, bounded: at most 10 s per run, and every process started here is stopped
(SIGTERM, then SIGKILL of its process group) whatever happens. Redis keys go under a prefix
unique to the run, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
LUA_SCRIPT = HERE / "redis_vs_memory.lua"
TOKEN = "bench-token"  # noqa: S105 - a loopback-only benchmark token, not a secret
MAX_SECONDS = 10.0
STARTUP_TIMEOUT = 20.0
BACKENDS = ("memory", "redis")
NOTE = (
    "Category: Outage\nReason: TwoStepsNoResolve\n"
    "Summary: Area outage reported by several callers since the morning\nConfidence: 0.9"
)


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


@dataclass
class Server:
    backend: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    runs: list[Run] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ingest/oa-handoff"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _executable() -> str:
    beside = Path(sys.executable).with_name("helpdesk-bridge")
    found = str(beside) if beside.is_file() else shutil.which("helpdesk-bridge")
    if found is None:
        raise SystemExit("helpdesk-bridge not found: pip install -e . in this interpreter")
    return found


def _start(backend: str, redis_url: str, prefix: str, workdir: Path) -> Server:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REDIS_", "STORE_", "MOCK_HELPDESK_", "RATE_LIMIT", "LOG_"))
    }
    env.update(
        {
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "AUTH_TOKEN": TOKEN,
            "STORE_BACKEND": backend,
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": prefix,
            "RATE_LIMIT_PER_SECOND": "1000000",
            "HELPDESK_BACKEND": "mock",
            "LOG_LEVEL": "info",
            "LOG_FORMAT": "json",
        }
    )
    log = workdir / f"{backend}.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [_executable(), "serve"],
            env=env,
            cwd=workdir,  # no stray .env
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    server = Server(backend, port, process, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            with contextlib.suppress(httpx.TransportError):
                ready = client.get(f"http://127.0.0.1:{port}/readyz")
                if ready.status_code == 200:
                    return server
            time.sleep(0.1)
    _stop(server)
    tail = log.read_text(errors="replace")[-2000:]
    raise SystemExit(f"{backend} server did not become ready on port {port}:\n{tail}")


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            server.process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.process.wait(10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(5)


@contextlib.contextmanager
def _servers(redis_url: str, prefix: str) -> Iterator[list[Server]]:
    started: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="hdb-bench-") as tmp:
        try:
            for backend in BACKENDS:
                started.append(_start(backend, redis_url, prefix, Path(tmp)))
            yield started
        finally:
            for server in started:
                _stop(server)


def _wrk(url: str, seconds: float, connections: int, label: str) -> Run:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA_SCRIPT),
        url,
    ]
    env = {**os.environ, "BENCH_TOKEN": TOKEN, "BENCH_RUN": label}
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Run(
        requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
    )


async def _python_load(url: str, seconds: float, connections: int, label: str) -> Run:
    """The fallback generator: ``connections`` keep-alive loops for ``seconds``."""
    latencies: list[float] = []
    failures = 0
    headers = {"x-auth-token": TOKEN, "content-type": "application/json"}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    stop_at = time.monotonic() + seconds

    async def loop(client: httpx.AsyncClient, worker: int) -> None:
        nonlocal failures
        n = worker
        while time.monotonic() < stop_at:
            body = {"note": NOTE, "oaKey": f"bench-{label}-{n % 500}", "source": "bench"}
            started = time.perf_counter()
            response = await client.post(url, json=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            failures += response.status_code >= 300
            n += connections

    async with httpx.AsyncClient(limits=limits, timeout=5.0, trust_env=False) as client:
        began = time.monotonic()
        await asyncio.gather(*(loop(client, w) for w in range(connections)))
        elapsed = time.monotonic() - began
    latencies.sort()
    return Run(
        requests_per_second=len(latencies) / elapsed,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        non_2xx=failures,
        socket_errors=0,
    )


def _load(url: str, seconds: float, connections: int, label: str, use_wrk: bool) -> Run:
    if use_wrk:
        return _wrk(url, seconds, connections, label)
    return asyncio.run(_python_load(url, seconds, connections, label))


def delete_prefix(redis_url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        return int(client.delete(*keys)) if keys else 0
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per run (at most 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (1-9)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--python-load", action="store_true", help="use the fallback, not wrk")
    args = parser.parse_args(argv)
    seconds = min(max(args.seconds, 1.0), MAX_SECONDS)
    rounds = min(max(args.rounds, 1), 9)
    if not args.redis_url.startswith(("redis://127.0.0.1", "redis://localhost")):
        raise SystemExit("loopback only: --redis-url must point at 127.0.0.1 or localhost")
    use_wrk = not args.python_load and shutil.which("wrk") is not None
    if not use_wrk and not args.python_load:
        print("wrk not found (apt-get install wrk): using the asyncio + httpx fallback")
    prefix = f"hdb-bench:{uuid.uuid4().hex[:8]}:"
    tool = f"wrk -t1 -c{args.connections}" if use_wrk else f"httpx x{args.connections}"
    print(
        f"hand-off throughput, one server process each (uvicorn, 1 worker, mock helpdesk), "
        f"{tool}, {rounds} x {seconds:.0f} s interleaved, {os.cpu_count()} cores"
    )
    try:
        with _servers(args.redis_url, prefix) as servers:
            for server in servers:  # warm-up: imports, connections, Lua scripts loaded
                _load(server.url, 1.0, args.connections, f"warm-{uuid.uuid4().hex[:6]}", use_wrk)
            for round_number in range(rounds):
                order = servers if round_number % 2 == 0 else servers[::-1]
                for server in order:
                    label = f"{round_number}-{uuid.uuid4().hex[:6]}"
                    run = _load(server.url, seconds, args.connections, label, use_wrk)
                    server.runs.append(run)
                    print(
                        f"  round {round_number + 1} {server.backend:<6} "
                        f"{run.requests_per_second:8.0f} req/s  p50 {run.p50_ms:6.2f} ms  "
                        f"p99 {run.p99_ms:6.2f} ms  non-2xx {run.non_2xx}  "
                        f"socket errors {run.socket_errors}"
                    )
            print(f"{'backend':<8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}   (medians)")
            medians = {}
            for server in servers:
                rps = statistics.median(r.requests_per_second for r in server.runs)
                p50 = statistics.median(r.p50_ms for r in server.runs)
                p99 = statistics.median(r.p99_ms for r in server.runs)
                medians[server.backend] = rps
                print(f"{server.backend:<8}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}")
                if any(r.non_2xx or r.socket_errors for r in server.runs):
                    print(f"  warning: {server.backend} answered non-2xx or dropped connections")
            print(f"redis / memory throughput: {medians['redis'] / medians['memory']:.2f}")
    finally:
        deleted = delete_prefix(args.redis_url, prefix)
        print(f"(deleted {deleted} Redis keys under {prefix})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
