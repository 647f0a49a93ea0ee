"""The service in this process: the same app ``serve`` runs, reached through httpx's ASGI
transport, for tests where no real process matters (validation, auth and idempotency tables)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from dependency_injector import providers

from adapters.clock import ManualClock
from entrypoints.bootstrap.container import build_container
from entrypoints.config.settings import load_settings
from entrypoints.http.edge import Edge
from entrypoints.service.app import service_app
from tests.support.e2e.processes import SECRET, TOKEN

BASE_URL = "http://127.0.0.1:3000"


def on_clock(clock: ManualClock) -> dict[str, providers.Provider[Any]]:
    """``overrides`` for a service on ``clock``, e.g. one standing still at the present moment
    (``ManualClock(time.time())``): the rate limit's one-second window then holds every request
    of a test however slow the machine is (on the system clock a burst straddling a second's
    boundary gets two budgets), and the test moves time on when it means to."""
    return {"clock": providers.Object(clock)}


class InProcessService:
    """``service_app`` on the mock helpdesk and in-memory stores, with the e2e suite's secrets,
    so the e2e helpers (tests/support/e2e/requests.py) work unchanged against it."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        overrides: Mapping[str, providers.Provider[Any]] | None = None,
    ) -> None:
        self._outbox_dir = tempfile.TemporaryDirectory(prefix="hdb-inprocess-")
        outbox = str(Path(self._outbox_dir.name) / "outbox.sqlite3")
        settings = load_settings(
            {"AUTH_TOKEN": TOKEN, "WEBHOOK_SECRET": SECRET, "OUTBOX_PATH": outbox, **(env or {})},
            env_file="/nonexistent/.env",
        )
        self.container = build_container(settings)
        for name, provider in (overrides or {}).items():  # e.g. a broken outbox
            getattr(self.container, name).override(provider)
        self.app: Edge = service_app(self.container)

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 40000))
        return httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=10)
