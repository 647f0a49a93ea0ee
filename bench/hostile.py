"""Which server keeps hostile clients from costing others service: the bridge's own app factory on
each candidate, each under a 256 file limit, probed one at a time (the evidence behind
``entrypoints/http/server/guarded_protocol.py``; docs/PERFORMANCE.md, "Issue 11").

    guarded        production: uvicorn + uvloop + httptools behind GuardedHttpToolsProtocol
    uvicorn        uvicorn + uvloop + httptools with its own limits only (--limit-concurrency
                   100, --timeout-keep-alive 5): what main ran
    uvicorn-h11    the same on h11, with h11_max_incomplete_event_size 16 KiB (its header cap)
    granian        granian 2.8 ASGI, uvloop, header read timeout 10 s, backpressure 100
    hypercorn      hypercorn 0.18 (h11, uvloop), h11_max_incomplete_size 16 KiB, keep-alive 5 s

Per candidate: token req/s (wrk, 5 s, informational: ``bench servers`` compares throughput),
how long a stalled head and a stalled body keep their connection, what a 100 KB header and
100,000 header fields get, the RSS growth while one connection streams up to 200 MiB of header
(10 s at most), and how many of 20 hand-offs are served while 300 slow clients (one header byte
a second, reconnecting when closed) hold connections. granian and hypercorn are measured only
when installed in the venv (``pip install granian hypercorn``); they are not dependencies.

    python -m bench.hostile VARIANT --port N   starts one (used by ``python -m bench hostile``)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import socket
import sys
import time
import urllib.request
from collections.abc import Callable

from bench.common import TOKEN, free_port, say, table
from bench.load import require_wrk, wrk
from bench.processes.servers import Server, bridge_env, running

TARGET = "entrypoints.serving.asgi:app_from_environment"
VARIANTS = ("guarded", "uvicorn", "uvicorn-h11", "granian", "hypercorn")
NOFILE = 256
PATH = "/ingest/oa-handoff"
STALL_CAP = 15.0
STREAM_SECONDS = 10.0
STREAM_BYTES = 200 * 1_048_576
SWARM = 300
STALLED_BODY = (
    f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    f'x-auth-token: {TOKEN}\r\nContent-Length: 100\r\n\r\n{{"note":'
).encode()
NOTE = (
    "Category: WiFi\nReason: CallerRequested\nSummary: Customer unable to connect\nConfidence: 0.9"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma list")
    parser.add_argument("--seconds", type=int, default=5, help="the throughput run, 1-10 s")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")


def serve(variant: str, port: int) -> None:  # pragma: no cover - a server process
    """Run the bridge on one candidate (in this process)."""
    if variant == "granian":
        from granian.constants import Interfaces, Loops
        from granian.http import HTTP1Settings
        from granian.server import Server as Granian

        Granian(
            TARGET,
            address="127.0.0.1",
            port=port,
            interface=Interfaces.ASGI,
            loop=Loops.uvloop,
            factory=True,
            log_enabled=False,
            backpressure=100,
            http1_settings=HTTP1Settings(header_read_timeout=10_000),
        ).serve()
        return
    if variant == "hypercorn":
        import uvloop
        from hypercorn.asyncio import serve as hypercorn_serve
        from hypercorn.config import Config

        from entrypoints.serving.asgi import app_from_environment

        config = Config()
        config.bind = [f"127.0.0.1:{port}"]
        config.h11_max_incomplete_size = 16_384
        config.keep_alive_timeout = 5
        config.accesslog = None
        uvloop.run(hypercorn_serve(app_from_environment(), config))  # type: ignore[arg-type]
        return
    import uvicorn

    from entrypoints.config.settings import load_settings
    from entrypoints.serving.process import server_options

    options = server_options(load_settings(), "127.0.0.1", port, 1)
    if variant == "uvicorn":
        options.update(http="httptools", limit_concurrency=100, timeout_keep_alive=5)
    elif variant == "uvicorn-h11":
        options.update(
            http="h11",
            limit_concurrency=100,
            timeout_keep_alive=5,
            h11_max_incomplete_event_size=16_384,
        )
    uvicorn.run(TARGET, factory=True, **options)


# ------------------------------------------------------------------------------ probes


async def _stalled(port: int, request: bytes) -> str:
    """Seconds until the server closes a connection that stops mid-request (and its answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    answer = b""
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(STALL_CAP):
            while chunk := await reader.read(4096):
                answer += chunk
    except TimeoutError:
        return f"open > {STALL_CAP:.0f} s"
    except ConnectionError:
        pass
    finally:
        writer.close()
    status = answer[9:12].decode() if answer.startswith(b"HTTP/1.1 ") else "no answer"
    return f"{time.monotonic() - started:.1f} s ({status})"


async def _oversized(port: int, head: bytes) -> str:
    """What a request with ``head`` as its headers gets: a status, or the connection closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        async with asyncio.timeout(10):
            answer = await reader.read(4096)
    except (ConnectionError, TimeoutError):
        answer = b""
    finally:
        writer.close()
    return answer[9:12].decode() if answer.startswith(b"HTTP/1.1 ") else "closed"


def _stream(port: int, pid_rss: Callable[[], float]) -> str:
    """MiB one connection streamed into an endless header before it was cut (or the cap), and
    the server's RSS growth meanwhile."""
    before = peak = pid_rss()
    sent = 0
    chunk = b"a" * 1_048_576
    deadline = time.monotonic() + STREAM_SECONDS
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Endless: ")
            while sent < STREAM_BYTES and time.monotonic() < deadline:
                sock.sendall(chunk)
                sent += len(chunk)
                peak = max(peak, pid_rss())
        except OSError:
            pass
    time.sleep(0.2)
    peak = max(peak, pid_rss())
    cut = "cut" if sent < STREAM_BYTES and time.monotonic() < deadline else "not cut"
    return f"{sent / 1_048_576:.0f} MiB ({cut}), RSS +{peak - before:.0f} MiB"


async def _swarm(port: int) -> str:
    """Hand-offs answered 200 (of 20, one every 0.2 s, a new connection each) while ``SWARM``
    slow clients hold connections, reconnecting 0.3 s after the server closes one."""
    stop = asyncio.Event()

    async def slow() -> None:
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.3)
                continue
            try:
                writer.write(f"POST {PATH} HTTP/1.1\r\nHost: x\r\nX-Slow: ".encode())
                while not stop.is_set() and not reader.at_eof():
                    writer.write(b"a")
                    await writer.drain()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            if not await reader.read(4096):
                                break
            except OSError:
                pass
            finally:
                writer.close()
            await asyncio.sleep(0.3)

    tasks = [asyncio.create_task(slow()) for _ in range(SWARM)]
    served = 0
    try:
        await asyncio.sleep(1.5)
        for number in range(20):
            served += await asyncio.to_thread(_handoff, port, number)
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        async with asyncio.timeout(20):
            await asyncio.gather(*tasks, return_exceptions=True)
    return f"{served}/20"


def _handoff(port: int, number: int) -> int:
    body = json.dumps({"note": NOTE, "oaKey": f"hostile-{time.time()}-{number}"})
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{PATH}",
        data=body.encode(),
        headers={"content-type": "application/json", "x-auth-token": TOKEN},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return 1 if response.status == 200 else 0
    except OSError:
        return 0


def run(args: argparse.Namespace) -> dict[str, object]:
    require_wrk()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    for optional in ("granian", "hypercorn"):
        if optional in variants and importlib.util.find_spec(optional) is None:
            say(f"  ({optional} is not installed: skipped)")
            variants.remove(optional)
    say(f"hostile clients: the bridge on {', '.join(variants)}, each under nofile={NOFILE}")
    rows: list[list[object]] = []
    results: dict[str, object] = {}
    for variant in variants:
        port = free_port()
        argv = [
            "prlimit",
            f"--nofile={NOFILE}:{NOFILE}",
            sys.executable,
            "-m",
            "bench.hostile",
            variant,
            "--port",
            str(port),
        ]
        server = Server(variant, argv, port, bridge_env())
        with running([server]) as (live,):
            rps = wrk(live.url + PATH, "handoff.lua", args.seconds, args.connections).rps

            async def probes(port: int = port) -> list[str]:
                return list(
                    await asyncio.gather(
                        _stalled(port, f"POST {PATH} HTTP/1.1\r\nHost: x\r\nX-Slow: ".encode()),
                        _stalled(port, STALLED_BODY),
                        _oversized(port, b"X-Big: " + b"a" * 100_000 + b"\r\n"),
                        _oversized(port, b"".join(b"X-%d: 1\r\n" % i for i in range(100_000))),
                    )
                )

            head, body, big, many = asyncio.run(probes())
            swarm = asyncio.run(_swarm(port))
            stream = _stream(port, live.rss_mib)
        row = [variant, f"{rps:,.0f}", head, body, big, many, stream, swarm]
        rows.append(row)
        results[variant] = row[1:]
        say(f"  {variant} done")
    say(
        table(
            [
                "server",
                "token req/s",
                "stalled head",
                "stalled body",
                "100 KB header",
                "100k fields",
                "endless header",
                f"served w/ {SWARM} slow",
            ],
            rows,
        )
    )
    return results


if __name__ == "__main__":  # pragma: no cover - a server process
    parser = argparse.ArgumentParser()
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--port", type=int, required=True)
    cli = parser.parse_args()
    serve(cli.variant, cli.port)
