"""Scale: throughput and RSS with 0, 100k and 1M live dedup keys; memory per key.

Three servers (``bench.processes.bench_app``: the service with its in-memory ticket index pre-filled
through the index's own port, two keys per ticket) run side by side; the token load runs
against them interleaved, one at a time. Memory per key is measured twice: from the servers'
RSS (what the OS sees) and in-process with tracemalloc on ``MemoryTicketIndex`` (what Python
allocates for the keys, their entries and the tickets they point to).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tracemalloc

from adapters.clock import SystemClock
from adapters.stores.memory import MemoryTicketIndex
from bench.common import free_port, median, say, spread, table
from bench.load import require_wrk, wrk
from bench.processes.bench_app import PREFILL_ENV, prefill
from bench.processes.servers import Server, module_server, running

SIZES = (0, 100_000, 1_000_000)
TARGET_WITHIN = 0.10
TARGET_BYTES_PER_KEY = 300
PATH = "/ingest/oa-handoff"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=5, help="length of each run, 1-10 s")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in SIZES), help="live keys per server"
    )
    parser.add_argument("--logs", metavar="DIR", help="keep the servers' stderr in DIR")


def bytes_per_key(n: int) -> float:
    """tracemalloc: bytes Python allocates per live key in ``MemoryTicketIndex``."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        index = MemoryTicketIndex(SystemClock())
        asyncio.run(prefill(index, n, "https://helpdesk.example.com"))
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        assert len(index) == n
    finally:
        tracemalloc.stop()
    return (after - before) / n


def run(args: argparse.Namespace) -> dict[str, object]:
    require_wrk()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    say(f"tracemalloc: MemoryTicketIndex with {max(sizes):,} keys ...")
    per_key_traced = bytes_per_key(max(sizes)) if max(sizes) else 0.0
    say(f"  {per_key_traced:.0f} bytes per key (keys, entries, tickets)")
    servers: list[Server] = [
        module_server(
            f"keys={n}",
            "bench.processes.bench_app",
            free_port(),
            args.logs,
            **{PREFILL_ENV: str(n)},
        )
        for n in sizes
    ]
    results: dict[int, list[float]] = {n: [] for n in sizes}
    p99: dict[int, list[float]] = {n: [] for n in sizes}
    say(f"starting {len(sizes)} pre-filled servers ({', '.join(f'{n:,}' for n in sizes)} keys)")
    with running(servers, timeout=180) as live:
        rss_idle = {n: s.rss_mib() for n, s in zip(sizes, live, strict=True)}
        for server in live:  # warm-up
            wrk(server.url + PATH, "handoff.lua", 2, args.connections)
        for round_no in range(args.rounds):
            order = list(zip(sizes, live, strict=True))
            shift = round_no % len(order)
            for n, server in order[shift:] + order[:shift]:
                result = wrk(server.url + PATH, "handoff.lua", args.seconds, args.connections)
                results[n].append(result.rps)
                p99[n].append(result.p99_ms)
            say(f"  round {round_no + 1}/{args.rounds} done")
        rss_load = {n: s.rss_mib() for n, s in zip(sizes, live, strict=True)}
    base = median(results[sizes[0]])
    base_rss = rss_idle[sizes[0]]
    rows = []
    for n in sizes:
        per_key = (rss_idle[n] - base_rss) * 1024 * 1024 / n if n else 0.0
        rows.append(
            [
                f"{n:,}",
                f"{median(results[n]):,.0f}",
                spread(results[n]),
                f"{median(results[n]) / base:.2f}",
                f"{median(p99[n]):.2f}",
                f"{rss_idle[n]:.1f}",
                f"{rss_load[n]:.1f}",
                f"{per_key:.0f}" if n else "-",
            ]
        )
    say("")
    say(
        table(
            [
                "live keys",
                "req/s",
                "range",
                "vs 0",
                "p99 ms",
                "RSS idle MiB",
                "RSS after load MiB",
                "RSS bytes/key",
            ],
            rows,
        )
    )
    biggest = sizes[-1]
    ratio = median(results[biggest]) / base
    rss_per_key = (rss_idle[biggest] - base_rss) * 1024 * 1024 / biggest if biggest else 0.0
    say("")
    say(
        table(
            ["target", "measured", "goal", "verdict"],
            [
                [
                    f"req/s with {biggest:,} keys vs 0",
                    f"{ratio:.2f}x",
                    f">= {1 - TARGET_WITHIN:.2f}x",
                    "ok" if ratio >= 1 - TARGET_WITHIN else "MISSED",
                ],
                [
                    "bytes per key (tracemalloc)",
                    f"{per_key_traced:.0f}",
                    f"<= {TARGET_BYTES_PER_KEY}",
                    "ok" if per_key_traced <= TARGET_BYTES_PER_KEY else "MISSED",
                ],
                [
                    "bytes per key (RSS)",
                    f"{rss_per_key:.0f}",
                    f"<= {TARGET_BYTES_PER_KEY}",
                    "ok" if rss_per_key <= TARGET_BYTES_PER_KEY else "MISSED",
                ],
            ],
        )
    )
    return {
        "rps": results,
        "p99_ms": p99,
        "rss_idle_mib": rss_idle,
        "rss_after_load_mib": rss_load,
        "bytes_per_key_tracemalloc": per_key_traced,
        "bytes_per_key_rss": rss_per_key,
    }
