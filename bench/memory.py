"""RSS after load, one fresh bridge per scenario: what each kind of traffic leaves behind.

``handoff`` reports the bridge's RSS after *all* its scenarios ran on one process, which mixes
the token load (the issue's target) with the HMAC load, whose replay guard keeps every accepted
signature until its timestamp expires (by design). Here each scenario gets a new process: idle
RSS, then the load, then RSS again.
"""

from __future__ import annotations

import argparse

from bench.common import free_port, say, table
from bench.load import require_wrk, wrk
from bench.processes.servers import bridge_server, running

TARGET_RSS_MIB = 80.0
PATH = "/ingest/oa-handoff"
SCRIPTS = {"token": "handoff.lua", "hmac": "hmac.lua", "idempotent": "idempotent.lua"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=int, default=8, help="load per scenario (1-10)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--scenarios", default=",".join(SCRIPTS), help="comma list")
    parser.add_argument("--logs", metavar="DIR", help="keep the servers' stderr in DIR")


def run(args: argparse.Namespace) -> dict[str, object]:
    require_wrk()
    rows: list[list[object]] = []
    after: dict[str, float] = {}
    for name in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
        server = bridge_server(free_port(), args.logs)
        with running([server]) as (live,):
            idle = live.rss_mib()
            result = wrk(live.url + PATH, SCRIPTS[name], args.seconds, args.connections)
            after[name] = live.rss_mib()
        rows.append(
            [name, f"{idle:.1f}", f"{after[name]:.1f}", f"{result.requests:,}", result.non2xx]
        )
    say(f"RSS of a fresh bridge before and after {args.seconds} s of each load")
    say(table(["scenario", "idle MiB", "after load MiB", "requests", "non-2xx"], rows))
    if "token" in after:
        verdict = "ok" if after["token"] <= TARGET_RSS_MIB else "MISSED"
        say(
            f"\ntarget: RSS after the token load <= {TARGET_RSS_MIB:.0f} MiB: "
            f"{after['token']:.1f} MiB, {verdict}"
        )
    return {"rss_after_load_mib": after}
