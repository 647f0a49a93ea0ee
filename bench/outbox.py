"""The outbox's two paths: hand-offs queued per second while the helpdesk is down, then items
delivered per second once it is back, for the SQLite outbox and the Redis one.

1. Queue path: one bridge per outbox (``STORE_BACKEND=memory``: SQLite at ``OUTBOX_PATH`` in a
   temp dir; ``STORE_BACKEND=redis``: a prefix unique to the run) with the mock helpdesk down
   (``MOCK_HELPDESK_HEALTHY=false``: every call fails at once), so every hand-off of
   ``bench/lua/distinct.lua`` (a new oaKey and caller each) is answered 202 and kept. The
   backends take turns round by round, as in ``bench handoff``. Their delivery workers run as
   in production: each queued hand-off nudges one, which tries and postpones items meanwhile.
2. Delivery rate: each bridge stopped; once every queued item is due again (the postpones of
   step 1 pushed some into the future), the same outbox under a bridge with the helpdesk up,
   one at a time, polling ``/metrics`` until ``outbox_items{state="queued"}`` is 0 (bounded).

Loopback only, bounded runs, servers stopped by pid (bench/common.py); the temp dir and the
run's Redis keys are deleted at the end whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import re
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from bench.common import BenchError, free_port, median, say, spread, table
from bench.load import WrkResult, require_wrk, wrk
from bench.processes.servers import Server, bridge_env, bridge_server, running
from bench.redis_vs_memory import delete_prefix

PATH = "/ingest/oa-handoff"
SCRIPT = "distinct.lua"
BACKENDS = {"sqlite": "memory", "redis": "redis"}  # outbox -> STORE_BACKEND
MAX_DUE_WAIT_SECONDS = 90.0
STALL_SECONDS = 2.0  # no delivery for this long: the rest waits for a lease to expire
_METRIC = re.compile(r"^helpdesk_bridge_(outbox_\w+)(\{[^}]*\})? (\S+)$", re.M)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=5, help="length of each run, 1-10 s")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="loopback only")
    parser.add_argument(
        "--drain-timeout", type=float, default=150.0, help="bound of each delivery phase, s"
    )
    parser.add_argument("--logs", metavar="DIR", help="keep the servers' stderr in DIR")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")


def _env(outbox: str, workdir: Path, prefix: str, redis_url: str, healthy: bool) -> dict[str, str]:
    return {
        "STORE_BACKEND": BACKENDS[outbox],
        "OUTBOX_PATH": str(workdir / f"{outbox}-outbox.sqlite3"),
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        "MOCK_HELPDESK_HEALTHY": "true" if healthy else "false",
    }


def _server(name: str, env: dict[str, str], log_dir: str | None) -> Server:
    server = bridge_server(free_port(), log_dir, **env)
    server.name = name
    return server


def outbox_metrics(port: int) -> dict[str, float]:
    """The ``helpdesk_bridge_outbox_*`` series of one /metrics scrape, e.g.
    ``outbox_items{state="queued"}``; empty when the server does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2.0)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    except OSError:
        return {}
    finally:
        conn.close()
    return {name + (labels or ""): float(value) for name, labels, value in _METRIC.findall(text)}


QUEUED = 'outbox_items{state="queued"}'
DELIVERED = 'outbox_deliveries_total{outcome="delivered"}'


def queue_phase(
    args: argparse.Namespace, envs: dict[str, dict[str, str]]
) -> tuple[dict[str, list[WrkResult]], dict[str, WrkResult], dict[str, float]]:
    """Distinct hand-offs against each bridge with the helpdesk down, interleaved."""
    servers = [_server(name, env, args.logs) for name, env in envs.items()]
    results: dict[str, list[WrkResult]] = defaultdict(list)
    checks: dict[str, WrkResult] = {}
    queued: dict[str, float] = {}
    with running(servers) as live:
        for server in live:  # warm-up, its statuses reported; salt 0 (rounds use 1, 2, ...)
            checks[server.name] = wrk(
                server.url + PATH, SCRIPT, 2, args.connections, {"BENCH_SALT": "0"}, check=True
            )
        for round_no in range(args.rounds):
            shift = round_no % len(live)
            for server in live[shift:] + live[:shift]:
                env = {"BENCH_SALT": str(round_no + 1)}
                result = wrk(server.url + PATH, SCRIPT, args.seconds, args.connections, env, True)
                results[server.name].append(result)
            say(f"  queue round {round_no + 1}/{args.rounds} done")
        time.sleep(0.5)  # answers still in flight when wrk stopped
        for server in live:
            queued[server.name] = outbox_metrics(server.port).get(QUEUED, float("nan"))
    return results, checks, queued


async def _latest_due(env: dict[str, str]) -> tuple[int, float]:
    """The number of QUEUED items and when the last of them is due, read through the bridge's
    own outbox adapter for ``env`` (its container, as ``serve`` builds it)."""
    from application.ports import OutboxState
    from entrypoints.bootstrap.container import close_container, open_container
    from entrypoints.config.settings import load_settings

    # One read of every item: a long script in Redis, past the service's 1 s socket timeout.
    environ = bridge_env(**env, REDIS_SOCKET_TIMEOUT_SECONDS="30")
    settings = load_settings(environ, env_file="/nonexistent")
    container = await open_container(settings)
    try:
        items = await container.outbox().items(OutboxState.QUEUED, 10_000_000)
    finally:
        await close_container(container)
    return len(items), max((item.next_attempt_at for item in items), default=0.0)


def drain(name: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    """Restart on the same outbox with the helpdesk up; time the deliveries until it is empty."""
    count, due = asyncio.run(_latest_due(env))
    wait = due - time.time()
    if wait > MAX_DUE_WAIT_SECONDS:
        raise BenchError(f"{name}: the last item is due in {wait:.0f} s (> {MAX_DUE_WAIT_SECONDS})")
    if wait > 0:
        say(f"  {name}: {count:,} items queued, waiting {wait:.1f} s until the last is due")
        time.sleep(wait + 0.2)
    server = _server(name, {**env, "MOCK_HELPDESK_HEALTHY": "true"}, args.logs)
    with running([server]):
        ready = time.perf_counter()
        first = outbox_metrics(server.port)
        last, now, progress_at = first, ready, ready
        stall: tuple[float, dict[str, float]] | None = None
        while last.get(QUEUED, 1.0) > 0 and now < ready + args.drain_timeout:
            time.sleep(0.1)
            scrape, now = outbox_metrics(server.port), time.perf_counter()
            if scrape.get(QUEUED) != last.get(QUEUED):
                progress_at = now
            elif stall is None and now - progress_at >= STALL_SECONDS:
                stall = (progress_at - ready, last)  # the rest: leased by the stopped worker
            last = scrape or last
    burst_s, burst = stall or (now - ready, last)
    return {
        "items": float(count),
        "delivered_before_ready": first.get(DELIVERED, 0.0),
        "delivered": last.get(DELIVERED, 0.0),
        "burst_delivered": burst.get(DELIVERED, 0.0) - first.get(DELIVERED, 0.0),
        "burst_seconds": burst_s,
        "rate": (burst.get(DELIVERED, 0.0) - first.get(DELIVERED, 0.0)) / burst_s
        if burst_s > 0
        else float("nan"),
        "tail_items": burst.get(QUEUED, 0.0) if stall else 0.0,
        "left_queued": last.get(QUEUED, float("nan")),
        "postponed": last.get('outbox_deliveries_total{outcome="postponed"}', 0.0),
        "spawn_to_empty_s": now - server.started_at,
    }


def run(args: argparse.Namespace) -> dict[str, object]:
    require_wrk()
    chosen = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not chosen or any(b not in BACKENDS for b in chosen):
        raise BenchError(f"--backends: a comma list of {', '.join(BACKENDS)}")
    if not args.redis_url.startswith(("redis://127.", "redis://localhost")):
        raise BenchError(f"refusing a non-loopback Redis: {args.redis_url}")
    prefix = f"hdb-bench-outbox:{uuid.uuid4().hex[:8]}:"
    say(
        f"outbox: the helpdesk down, {args.rounds} interleaved rounds x {args.seconds} s of "
        f"distinct hand-offs per outbox ({', '.join(chosen)}), {args.connections} connections; "
        "then each outbox delivered with the helpdesk up"
    )
    with tempfile.TemporaryDirectory(prefix="hdb-bench-outbox-") as tmp:
        envs = {b: _env(b, Path(tmp), prefix, args.redis_url, healthy=False) for b in chosen}
        try:
            results, checks, queued = queue_phase(args, envs)
            queue_report(chosen, results, checks, queued)
            drained = {name: drain(name, env, args) for name, env in envs.items()}
        finally:
            if "redis" in chosen:
                say(f"  (deleted {delete_prefix(args.redis_url, prefix)} keys under {prefix})")
    delivery_report(drained)
    result: dict[str, object] = {
        "queue": {n: [asdict(r) for r in results[n]] for n in chosen},
        "queue_warmup": {n: asdict(c) for n, c in checks.items()},
        "in_outbox": queued,
        "delivery": drained,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def queue_report(
    chosen: list[str],
    results: dict[str, list[WrkResult]],
    checks: dict[str, WrkResult],
    queued: dict[str, float],
) -> None:
    rows = []
    for name in chosen:
        runs, check = results[name], checks[name]
        statuses = " ".join(f"{k}={v}" for k, v in sorted(check.statuses.items()) if k.isdigit())
        timed: dict[str, int] = defaultdict(int)
        for r in runs:
            for k, v in r.statuses.items():
                if k.isdigit():
                    timed[k] += v
        rows.append(
            [
                name,
                f"{median([r.rps for r in runs]):,.0f}",
                spread([r.rps for r in runs]),
                f"{median([r.p50_ms for r in runs]):.2f}",
                f"{median([r.p99_ms for r in runs]):.2f}",
                " ".join(f"{k}={v}" for k, v in sorted(timed.items())) + f" (warm-up {statuses})",
                f"{queued[name]:,.0f}",
            ]
        )
    say("")
    headers = ["outbox", "queued/s", "range", "p50 ms", "p99 ms", "statuses", "in outbox"]
    say(table(headers, rows))


def delivery_report(drained: dict[str, dict[str, float]]) -> None:
    say("")
    say(
        table(
            [
                "outbox",
                "items",
                "delivered/s",
                "burst s",
                "then stuck (leased)",
                "left queued",
                "postponed",
                "spawn->empty s",
            ],
            [
                [
                    name,
                    f"{d['items']:,.0f}",
                    f"{d['rate']:,.0f}",
                    f"{d['burst_seconds']:.1f}",
                    f"{d['tail_items']:,.0f}",
                    f"{d['left_queued']:,.0f}",
                    f"{d['postponed']:,.0f}",
                    f"{d['spawn_to_empty_s']:.1f}",
                ]
                for name, d in drained.items()
            ],
        )
    )
