"""Start-up: process spawn to the first 200 on ``/healthz``, and the idle RSS right after.

Each server is started ``--repeat`` times in a row (nothing else runs meanwhile); the median
is reported. The bridge is started exactly as production starts it (``helpdesk-bridge serve``).
"""

from __future__ import annotations

import argparse

from bench.common import (
    Server,
    bridge_server,
    free_port,
    median,
    module_server,
    node_peer,
    say,
    table,
)

TARGET_SECONDS = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=5, help="starts per server (median)")
    parser.add_argument("--no-node", action="store_true", help="skip the Node peer")
    parser.add_argument("--logs", metavar="DIR", help="keep the servers' stderr in DIR")


def time_start(make: object, repeat: int) -> tuple[list[float], float]:
    seconds: list[float] = []
    rss = 0.0
    for _ in range(repeat):
        server: Server = make()  # type: ignore[operator]
        server.start()
        try:
            seconds.append(server.wait_ready(timeout=30))
            rss = server.rss_mib()
        finally:
            server.stop()
    return seconds, rss


def run(args: argparse.Namespace) -> dict[str, object]:
    makers: dict[str, object] = {
        "bridge": lambda: bridge_server(free_port(), args.logs),
        "floor": lambda: module_server("floor", "bench.floor_app", free_port(), args.logs),
    }
    if not args.no_node and node_peer(free_port()) is not None:
        makers["node"] = lambda: node_peer(free_port(), args.logs)
    say(f"start-up: spawn -> first 200 on /healthz, {args.repeat} starts each")
    rows = []
    report: dict[str, object] = {}
    for name, make in makers.items():
        seconds, rss = time_start(make, args.repeat)
        report[name] = {"seconds": seconds, "median": median(seconds), "rss_idle_mib": rss}
        rows.append(
            [
                name,
                f"{median(seconds) * 1000:.0f}",
                f"{min(seconds) * 1000:.0f}-{max(seconds) * 1000:.0f}",
                f"{rss:.1f}",
            ]
        )
    say(table(["server", "median ms", "range ms", "idle RSS MiB"], rows))
    bridge = median(report["bridge"]["seconds"])  # type: ignore[index]
    verdict = "ok" if bridge <= TARGET_SECONDS else "MISSED"
    say(
        f"\ntarget: bridge start -> first /healthz <= {TARGET_SECONDS * 1000:.0f} ms: "
        f"{bridge * 1000:.0f} ms, {verdict}"
    )
    return report
