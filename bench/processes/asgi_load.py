"""The hand-off scenarios of ``bench/lua/`` sent straight into the service's ASGI app, in this
process: no socket, no server, no load generator - only the service's own work per request.

    PYTHONPATH=CHECKOUT python bench/processes/asgi_load.py SCENARIO COUNT

Builds the service as ``serve`` does (mock helpdesk, in-memory stores, the bench's secrets),
runs its lifespan start-up, sends ``COUNT`` requests of ``SCENARIO`` (token, hmac, idempotent,
invalid: the same bodies and headers as the Lua scripts) one after another, checks each status,
and exits. ``bench/instructions.py`` runs it under callgrind, which counts the instructions;
it works on any checkout on ``PYTHONPATH`` from before the rooms (``entrypoints.http.app``) or
after (``entrypoints.service.app``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any

TOKEN = "bench-token"  # noqa: S105 - the benchmark servers' throwaway token
SECRET = "bench-secret"  # noqa: S105 - and HMAC secret
NOTE = (
    "Category: WiFi\nReason: TwoStepsNoResolve\n"
    "Summary: Caller reports intermittent WiFi drops after two troubleshooting steps.\n"
    "Confidence: 0.85"
)
KEYS = 500
IDEMPOTENT_KEYS = 100
INVALID = (
    {"note": NOTE.replace("0.85", "2.5"), "oaKey": "bad-1"},
    {"note": "short", "oaKey": "bad-2"},
    {"note": 42, "category": "WiFi", "callerNumber": 12345},
    {"note": NOTE, "callerNumber": "+1000", "oaKey": "bad-4"},
    {"note": "Category: WiFi only one line here", "oaKey": "bad-5"},
)


def _body(i: int, keys: int = KEYS) -> bytes:
    caller = f"+1415{2_000_000 + (i % (keys // 2)):07d}"
    fields = {
        "note": NOTE,
        "category": "WiFi",
        "escalationReason": "TwoStepsNoResolve",
        "confidence": "0.85",
        "callerNumber": caller,
        "oaKey": f"oa-bench-{i % keys}",
        "source": "bench",
    }
    return json.dumps(fields, separators=(",", ":")).encode()


def _signed(body: bytes) -> list[tuple[bytes, bytes]]:
    stamp = str(int(time.time() * 1000)).encode()
    digest = hmac.new(SECRET.encode(), stamp + body, hashlib.sha256).hexdigest()
    return [(b"x-signature", f"sha256={digest}".encode()), (b"x-timestamp", stamp)]


Request = tuple[bytes, list[tuple[bytes, bytes]], int]

SCENARIOS: dict[str, Callable[[int], Request]] = {
    "token": lambda i: (_body(i), [(b"x-auth-token", TOKEN.encode())], 200),
    "hmac": lambda i: (_body(i), _signed(_body(i)), 200),
    "idempotent": lambda i: (
        _body(i % IDEMPOTENT_KEYS, IDEMPOTENT_KEYS),
        [(b"x-auth-token", TOKEN.encode()), (b"idempotency-key", f"idem-{i % 100}".encode())],
        200,
    ),
    "invalid": lambda i: (
        json.dumps(INVALID[i % len(INVALID)]).encode(),
        [(b"x-auth-token", TOKEN.encode())],
        400,
    ),
}


def _service() -> Any:
    """The service's ASGI app, from whichever layout the checkout on the path has, logging as
    ``serve`` logs (one JSON access line per request, to stderr)."""
    env = {"AUTH_TOKEN": TOKEN, "WEBHOOK_SECRET": SECRET, "RATE_LIMIT_PER_SECOND": "1000000"}
    try:
        settings = importlib.import_module("entrypoints.config.settings")
        container = importlib.import_module("entrypoints.bootstrap.container")
        logging = importlib.import_module("entrypoints.bootstrap.logging")
        make = importlib.import_module("entrypoints.service.app").service_app
    except ImportError:  # a checkout from before the rooms
        settings = importlib.import_module("entrypoints.settings")
        container = importlib.import_module("entrypoints.container")
        logging = importlib.import_module("entrypoints.logging")
        make = importlib.import_module("entrypoints.http.app").create_app
    logging.configure_logging("info", "json")
    return make(container.build_container(settings.load_settings(env, "/nonexistent/.env")))


async def _lifespan(app: Any) -> None:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    asyncio.get_running_loop().create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"the service did not start: {started}")


async def _send(app: Any, body: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/ingest/oa-handoff",
        "raw_path": b"/ingest/oa-handoff",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:3000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 3000),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def run(scenario: str, count: int) -> None:
    app = _service()
    await _lifespan(app)
    request = SCENARIOS[scenario]
    for i in range(count):
        body, headers, expected = request(i)
        status = await _send(app, body, headers)
        if status != expected:
            raise SystemExit(f"{scenario} request {i}: status {status}, expected {expected}")


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], int(sys.argv[2])))
