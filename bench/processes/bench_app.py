"""The service with its dedup index pre-filled: for ``python -m bench scale`` only.

``HDB_BENCH_PREFILL_KEYS=N`` files N/2 problems straight into the in-memory ticket index before
the app answers, through the index's own port (claim, then fulfil: what a real hand-off does),
two live keys per ticket (oaKey and caller + category), as real traffic leaves them. This is a
bench-only factory: production code has no such switch.

    HDB_BENCH_PREFILL_KEYS=1000000 python -m bench.processes.bench_app --port 3903
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from adapters.clock import SystemClock
from application.ports import TicketIndex
from domain.ticket import TicketRef
from entrypoints.bootstrap.container import build_container
from entrypoints.bootstrap.logging import configure_logging
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app

PREFILL_ENV = "HDB_BENCH_PREFILL_KEYS"
TTL_SECONDS = 4 * 60 * 60
Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Any, Any], Awaitable[None]]


def prefill_keys(n: int) -> list[tuple[str, str]]:
    """N keys as N/2 (oaKey, caller) pairs, shaped like the load's keys."""
    return [
        (f"oa:oa-prefill-{i}", f"caller:+1415{2_000_000 + i % 8_000_000:07d}:Outage")
        for i in range(n // 2)
    ]


async def prefill(index: TicketIndex, n: int, base_url: str) -> None:
    now = SystemClock().now()
    for number, keys in enumerate(prefill_keys(n), start=1_000_000):
        owner = f"prefill-{number}"
        await index.claim(keys, owner, 30.0)
        ticket = TicketRef(id=f"TKT-{number}", url=f"{base_url}/tickets/{number}", created_at=now)
        await index.fulfil(keys, owner, ticket, TTL_SECONDS)


def create_bench_app() -> ASGI:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    container = build_container(settings)
    app = service_app(container)
    count = int(os.environ.get(PREFILL_ENV, "0"))
    index = container.ticket_index()
    filled = False

    async def with_prefill(scope: Scope, receive: Any, send: Any) -> None:
        nonlocal filled
        if scope["type"] == "lifespan" and not filled:
            filled = True
            started = time.perf_counter()
            await prefill(index, count, settings.mock_helpdesk.url)
            took = time.perf_counter() - started
            print(f"prefilled {count} keys in {took:.1f} s", flush=True)
        await app(scope, receive, send)  # type: ignore[arg-type]

    return with_prefill


if __name__ == "__main__":  # pragma: no cover - a server process
    from bench.processes.serve import main

    main("bench.processes.bench_app:create_bench_app")
