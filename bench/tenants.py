"""What a tenants file costs a hand-off: one ``serve`` without tenants against ``serve`` with a
tenants file of 1 and of 20 tenants, the same load, interleaved.

    .venv/bin/python -m bench.tenants                    # 3 rounds x 5 s, 32 connections
    .venv/bin/python -m bench.tenants --rounds 5 --seconds 5 --tenants 20

The bench token is the **last** tenant's (the dispatcher compares a presented token with every
tenant's tokens, all of them, whatever matches), so 20 tenants is the dispatcher's full work for
20. ``token``: ``bench/lua/handoff.lua`` with ``x-auth-token`` on ``/ingest/oa-handoff`` (the
token chooses the tenant); ``hmac``: ``bench/lua/hmac.lua`` on the tenant's path
``/tenants/<name>/ingest/oa-handoff`` (the path chooses it). Every tenant has the mock helpdesk
and in-memory stores, as ``bench handoff``'s bridge. Loopback only, each run bounded, every
server stopped (bench/common.py). Prints req/s (median, range), p50/p99, the ratios and each
server's idle RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.common import SECRET, TOKEN, BenchError, free_port, median, say, spread, table
from bench.load import WrkResult, require_wrk, wrk
from bench.processes.servers import bridge_server, running

PATH = "/ingest/oa-handoff"
SCRIPTS = {"token": "handoff.lua", "hmac": "hmac.lua"}


def tenants_toml(count: int) -> str:
    """``count`` tenants; the last one has the bench token and the bench HMAC secret."""
    tables = []
    for index in range(count):
        token = TOKEN if index == count - 1 else f"other-token-{index}"
        digest = hashlib.sha256(token.encode()).hexdigest()
        tables.append(f'[tenants.t{index}]\nauth_tokens = ["sha256:{digest}"]\n')
    tables[-1] += 'webhook_secret = "${BENCH_WEBHOOK_SECRET}"\n'
    return "\n".join(tables)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tenants", description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--tenants", type=int, default=20, help="the larger tenants file")
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="hdb-bench-tenants-") as directory:
        servers, paths = [bridge_server(free_port())], {"no tenants": PATH}
        servers[0].name = "no tenants"
        for count in sorted({1, args.tenants}):
            path = Path(directory, f"tenants-{count}.toml")
            path.write_text(tenants_toml(count), encoding="utf-8")
            server = bridge_server(
                free_port(),
                TENANTS_FILE=str(path),
                AUTH_TOKEN="",
                WEBHOOK_SECRET="",
                BENCH_WEBHOOK_SECRET=SECRET,
                OUTBOX_PATH=str(Path(directory, f"outbox-{count}.sqlite3")),
            )
            server.name = f"{count} tenant{'s' if count > 1 else ''}"
            servers.append(server)
            paths[server.name] = f"/tenants/t{count - 1}{PATH}"
        results: dict[tuple[str, str], list[WrkResult]] = defaultdict(list)
        with running(servers) as live:
            rss = {server.name: server.rss_mib() for server in live}
            for scenario, script in SCRIPTS.items():  # warm-up and a status check, untimed
                for server in live:
                    check = wrk(
                        server.url + _path(scenario, paths, server.name), script, 2, 32, check=True
                    )
                    if {k for k in check.statuses if k.isdigit()} - {"200"}:
                        raise BenchError(f"{server.name} {scenario}: {check.statuses}")
            for round_no in range(args.rounds):
                for scenario, script in SCRIPTS.items():
                    shift = round_no % len(live)
                    for server in live[shift:] + live[:shift]:
                        url = server.url + _path(scenario, paths, server.name)
                        results[(scenario, server.name)].append(
                            wrk(url, script, args.seconds, args.connections)
                        )
                say(f"  round {round_no + 1}/{args.rounds} done")
    rows = []
    for (scenario, name), runs in results.items():
        base = median([r.rps for r in results[(scenario, "no tenants")]])
        rps = median([r.rps for r in runs])
        rows.append(
            [
                scenario,
                name,
                f"{rps:,.0f}",
                spread([r.rps for r in runs]),
                f"{median([r.p50_ms for r in runs]):.2f}",
                f"{median([r.p99_ms for r in runs]):.2f}",
                f"{rps / base:.3f}x",
            ]
        )
    say(table(["scenario", "server", "req/s", "range", "p50 ms", "p99 ms", "vs none"], rows))
    say("")
    say(table(["server", "RSS idle MiB"], [[name, f"{mib:.1f}"] for name, mib in rss.items()]))
    return 0


def _path(scenario: str, paths: dict[str, str], name: str) -> str:
    """The token scenario always posts to the bare path; the HMAC one to the tenant's."""
    return PATH if scenario == "token" else paths[name]


if __name__ == "__main__":
    raise SystemExit(main())
