"""Hand-off throughput and latency over HTTP (wrk), against the floor and the Node peer.

Every scenario runs against every server that speaks it, interleaved round by round (server
order rotates), one load at a time; the figures are medians over the rounds and the comparisons
are ratios within the same run, which is what survives a noisy shared machine.

Scenarios (bench/lua/):
  token       x-auth-token, create + dedup mix                       bridge, floor, node
  hmac        x-signature + x-timestamp over the raw body            bridge, node
  idempotent  Idempotency-Key on every request (replays after round 1) bridge, node
  invalid     bodies that fail validation (400 envelope)             bridge, node

``--baseline DIR`` adds "baseline": the service from another checkout (e.g. ``git worktree add
/tmp/base <commit>``) on this venv, in every scenario, to measure a change before/after in one
interleaved run; the targets then include bridge/baseline ratios.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.common import BenchError, free_port, median, say, spread, table
from bench.load import WrkResult, require_wrk, wrk
from bench.processes.servers import (
    Server,
    bridge_server,
    is_checkout,
    module_server,
    node_peer,
    running,
)
from bench.targets import targets

PATH = "/ingest/oa-handoff"


@dataclass(frozen=True)
class Scenario:
    name: str
    script: str
    servers: tuple[str, ...]
    expect: str  # the status every answer should have


SCENARIOS = {
    "token": Scenario("token", "handoff.lua", ("bridge", "baseline", "floor", "node"), "200"),
    "hmac": Scenario("hmac", "hmac.lua", ("bridge", "baseline", "node"), "200"),
    "idempotent": Scenario("idempotent", "idempotent.lua", ("bridge", "baseline", "node"), "200"),
    "invalid": Scenario("invalid", "invalid.lua", ("bridge", "baseline", "node"), "400"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=5, help="length of each run, 1-10 s")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma list of {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--no-node", action="store_true", help="skip the Node peer")
    parser.add_argument(
        "--baseline", metavar="DIR", help="also run the service from this checkout (before/after)"
    )
    parser.add_argument("--logs", metavar="DIR", help="keep the servers' stderr in DIR")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")


def start_servers(
    names: set[str], log_dir: str | None, no_node: bool, baseline: str | None = None
) -> list[Server]:
    servers: list[Server] = []
    if "bridge" in names:
        servers.append(bridge_server(free_port(), log_dir))
    if "baseline" in names and baseline:
        if not is_checkout(baseline):
            raise BenchError(f"--baseline {baseline}: not a checkout of helpdesk-bridge")
        server = bridge_server(free_port(), log_dir, PYTHONPATH=str(Path(baseline).resolve()))
        server.name = "baseline"
        servers.append(server)
    if "floor" in names:
        servers.append(module_server("floor", "bench.processes.floor_app", free_port(), log_dir))
    if "node" in names and not no_node:
        peer = node_peer(free_port(), log_dir)
        if peer is not None:
            servers.append(peer)
    return servers


def run(args: argparse.Namespace) -> dict[str, object]:
    require_wrk()
    chosen = [SCENARIOS[s.strip()] for s in args.scenarios.split(",") if s.strip()]
    if not chosen:
        raise BenchError("no scenario chosen")
    wanted = {name for scenario in chosen for name in scenario.servers}
    servers = start_servers(wanted, args.logs, args.no_node, getattr(args, "baseline", None))
    results: dict[tuple[str, str], list[WrkResult]] = defaultdict(list)
    checks: dict[tuple[str, str], WrkResult] = {}
    rss: dict[str, float] = {}
    say(
        f"hand-off load: {args.rounds} interleaved rounds x {args.seconds} s per server and "
        f"scenario, {args.connections} connections, wrk -t1, 127.0.0.1"
    )
    with running(servers) as live:
        by_name = {server.name: server for server in live}
        rss_idle = {server.name: server.rss_mib() for server in live}
        for scenario in chosen:  # warm-up + correctness tally (CHECK=1, not timed)
            for name in scenario.servers:
                if name in by_name:
                    checks[(scenario.name, name)] = wrk(
                        by_name[name].url + PATH, scenario.script, 2, args.connections, check=True
                    )
        for round_no in range(args.rounds):
            for scenario in chosen:
                names = [n for n in scenario.servers if n in by_name]
                shift = round_no % len(names)
                for name in names[shift:] + names[:shift]:
                    result = wrk(
                        by_name[name].url + PATH, scenario.script, args.seconds, args.connections
                    )
                    results[(scenario.name, name)].append(result)
            say(f"  round {round_no + 1}/{args.rounds} done")
        rss = {server.name: server.rss_mib() for server in live}
    report = summarise(chosen, results, checks, rss_idle, rss)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    return report


def summarise(
    chosen: list[Scenario],
    results: dict[tuple[str, str], list[WrkResult]],
    checks: dict[tuple[str, str], WrkResult],
    rss_idle: dict[str, float],
    rss: dict[str, float],
) -> dict[str, object]:
    rows = []
    medians: dict[tuple[str, str], dict[str, float]] = {}
    for scenario in chosen:
        for name in scenario.servers:
            runs = results.get((scenario.name, name))
            if not runs:
                continue
            check = checks.get((scenario.name, name))
            unexpected = (
                sum(v for k, v in check.statuses.items() if k.isdigit() and k != scenario.expect)
                if check
                else 0
            )
            m = {
                "rps": median([r.rps for r in runs]),
                "p50_ms": median([r.p50_ms for r in runs]),
                "p99_ms": median([r.p99_ms for r in runs]),
                "non2xx": float(sum(r.non2xx for r in runs)),
                "requests": float(sum(r.requests for r in runs)),
                "socket_errors": float(sum(r.socket_errors for r in runs)),
                "unexpected_status": float(unexpected),
            }
            medians[(scenario.name, name)] = m
            rows.append(
                [
                    scenario.name,
                    name,
                    f"{m['rps']:,.0f}",
                    spread([r.rps for r in runs]),
                    f"{m['p50_ms']:.2f}",
                    f"{m['p99_ms']:.2f}",
                    f"{m['non2xx']:,.0f}",
                    f"{unexpected}" + (f" ({_statuses(check)})" if check else ""),
                ]
            )
    say("")
    say(
        table(
            [
                "scenario",
                "server",
                "req/s",
                "range",
                "p50 ms",
                "p99 ms",
                "non-2xx",
                "unexpected status (check run: status=count)",
            ],
            rows,
        )
    )
    say("")
    say(
        table(
            ["server", "RSS idle MiB", "RSS after load MiB"],
            [[n, f"{rss_idle.get(n, 0):.1f}", f"{rss[n]:.1f}"] for n in rss],
        )
    )
    verdicts = targets(medians, rss)
    if verdicts:
        say("")
        say(table(["target", "measured", "goal", "verdict"], verdicts))
    return {
        "medians": {f"{s}/{n}": v for (s, n), v in medians.items()},
        "runs": {f"{s}/{n}": [asdict(r) for r in v] for (s, n), v in results.items()},
        "rss_idle_mib": rss_idle,
        "rss_after_load_mib": rss,
        "targets": verdicts,
    }


def _statuses(check: WrkResult) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(check.statuses.items()) if k.isdigit())
