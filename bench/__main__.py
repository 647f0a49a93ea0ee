"""``python -m bench [handoff|floor|startup|instructions|scale|servers|outbox|mcp|all]``: see
bench/README.md."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from collections.abc import Sequence

from bench import handoff, hostile, instructions, memory, outbox, scale, servers, startup
from bench.common import BenchError, say


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _mcp(args: argparse.Namespace) -> None:
    """bench/mcp_startup.py (another benchmark's own CLI), run as its own process."""
    if not _has("bench.mcp_startup"):
        say("bench/mcp_startup.py is not there: skipped")
        return
    subprocess.run([sys.executable, "-m", "bench.mcp_startup", *args.rest], check=True)


def _floor(args: argparse.Namespace) -> None:
    args.scenarios = "token"
    handoff.run(args)


def _memory_defaults(args: argparse.Namespace) -> None:
    """``memory`` inside ``all``: its own scenario list, the shared duration and connections."""
    memory.run(
        argparse.Namespace(
            seconds=args.seconds,
            connections=args.connections,
            scenarios=",".join(memory.SCRIPTS),
            logs=args.logs,
        )
    )


def _all(args: argparse.Namespace) -> None:
    for title, command in (
        ("startup", startup.run),
        ("handoff (with the floor and the Node peer)", handoff.run),
        ("memory (a fresh bridge per load)", _memory_defaults),
        ("scale", scale.run),
    ):
        say(f"\n===== {title} =====")
        command(args)
    if _has("bench.mcp_startup"):
        say("\n===== mcp (bench/mcp_startup.py) =====")
        args.rest = []
        _mcp(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of helpdesk-bridge (loopback only, bounded runs). Default: all.",
    )
    commands = parser.add_subparsers(dest="command")
    sub = commands.add_parser("handoff", help="hand-off req/s and latency vs floor and Node")
    handoff.add_arguments(sub)
    sub.set_defaults(run=handoff.run)
    sub = commands.add_parser("floor", help="token load only: bridge vs floor vs Node, ratios")
    handoff.add_arguments(sub)
    sub.set_defaults(run=_floor)
    sub = commands.add_parser("startup", help="--help, serve and mcp start-up against floors")
    startup.add_arguments(sub)
    sub.set_defaults(run=startup.run)
    sub = commands.add_parser("memory", help="RSS of a fresh bridge after each kind of load")
    memory.add_arguments(sub)
    sub.set_defaults(run=memory.run)
    sub = commands.add_parser("scale", help="req/s and RSS with 0/100k/1M dedup keys")
    scale.add_arguments(sub)
    sub.set_defaults(run=scale.run)
    sub = commands.add_parser("servers", help="the bridge on uvicorn variants and granian")
    servers.add_arguments(sub)
    sub.set_defaults(run=servers.run)
    sub = commands.add_parser("hostile", help="slow, huge and endless clients per server")
    hostile.add_arguments(sub)
    sub.set_defaults(run=hostile.run)
    sub = commands.add_parser("outbox", help="hand-offs queued/s (helpdesk down), delivered/s")
    outbox.add_arguments(sub)
    sub.set_defaults(run=outbox.run)
    sub = commands.add_parser("instructions", help="callgrind's instructions per request")
    instructions.add_arguments(sub)
    sub.set_defaults(run=instructions.run)
    sub = commands.add_parser("mcp", help="bench/mcp_startup.py, when present")
    sub.add_argument("rest", nargs=argparse.REMAINDER, help="its own arguments")
    sub.set_defaults(run=_mcp)
    sub = commands.add_parser("all", help="startup, handoff, scale (and mcp when present)")
    handoff.add_arguments(sub)
    sub.add_argument("--repeat", type=int, default=5, help="starts per server (startup)")
    sub.add_argument("--sizes", default=",".join(str(s) for s in scale.SIZES), help="scale: keys")
    sub.set_defaults(run=_all)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["all", *(argv or [])])
    try:
        args.run(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
