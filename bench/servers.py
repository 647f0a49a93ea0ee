"""Which server runs the service best: the bridge's own app factory on each candidate, the token
load interleaved across them (the evidence behind entrypoints/serving/process.py's choice).

    uvicorn-httptools   uvicorn, uvloop, httptools   (production: entrypoints/serving/process.py)
    uvicorn-h11         uvicorn, uvloop, h11 (pure Python HTTP parser)
    uvicorn-asyncio     uvicorn, asyncio loop, httptools
    granian             granian ASGI, uvloop, 1 runtime thread (installed in the venv only)

    python -m bench.servers VARIANT --port N   starts one (used by ``python -m bench servers``)
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from bench.common import free_port, median, say, spread, table
from bench.load import require_wrk, wrk
from bench.processes.servers import Server, bridge_env, running

TARGET = "entrypoints.serving.asgi:app_from_environment"
VARIANTS = ("uvicorn-httptools", "uvicorn-h11", "uvicorn-asyncio", "granian")
PATH = "/ingest/oa-handoff"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=5, help="length of each run, 1-10 s")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma list")


def serve(variant: str, port: int) -> None:
    """Run the bridge on one server variant (in this process)."""
    from entrypoints.config.settings import load_settings
    from entrypoints.serving.process import server_options

    settings = load_settings()
    if variant == "granian":
        from granian.constants import Interfaces, Loops
        from granian.server import Server as Granian

        Granian(
            TARGET,
            address="127.0.0.1",
            port=port,
            interface=Interfaces.ASGI,
            loop=Loops.uvloop,
            factory=True,
            log_enabled=False,
        ).serve()
        return
    import uvicorn

    options = server_options(settings, "127.0.0.1", port, 1)
    if variant == "uvicorn-h11":
        options["http"] = "h11"
    elif variant == "uvicorn-asyncio":
        options["loop"] = "asyncio"
    uvicorn.run(TARGET, factory=True, **options)


def run(args: argparse.Namespace) -> dict[str, object]:
    require_wrk()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if "granian" in variants and importlib.util.find_spec("granian") is None:
        say("  (granian is not installed: skipped)")
        variants.remove("granian")
    servers = []
    for variant in variants:
        port = free_port()
        argv = [sys.executable, "-m", "bench.servers", variant, "--port", str(port)]
        servers.append(Server(variant, argv, port, bridge_env()))
    rps: dict[str, list[float]] = {v: [] for v in variants}
    p99: dict[str, list[float]] = {v: [] for v in variants}
    say(f"servers: the bridge on {', '.join(variants)}; token load, {args.rounds} rounds")
    with running(servers) as live:
        for server in live:
            wrk(server.url + PATH, "handoff.lua", 2, args.connections)
        for round_no in range(args.rounds):
            shift = round_no % len(live)
            for server in live[shift:] + live[:shift]:
                result = wrk(server.url + PATH, "handoff.lua", args.seconds, args.connections)
                rps[server.name].append(result.rps)
                p99[server.name].append(result.p99_ms)
        rss = {server.name: server.rss_mib() for server in live}
    say(
        table(
            ["server", "req/s", "range", "p99 ms", "RSS after load MiB"],
            [
                [
                    v,
                    f"{median(rps[v]):,.0f}",
                    spread(rps[v]),
                    f"{median(p99[v]):.2f}",
                    f"{rss[v]:.1f}",
                ]
                for v in variants
            ],
        )
    )
    return {"rps": rps, "p99_ms": p99, "rss_mib": rss}


if __name__ == "__main__":  # pragma: no cover - a server process
    parser = argparse.ArgumentParser()
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--port", type=int, required=True)
    cli = parser.parse_args()
    serve(cli.variant, cli.port)
