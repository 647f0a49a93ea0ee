"""The service with a tenants file in this process: the same app ``serve`` runs with
TENANTS_FILE (``tenants_service``), its lifespan driven in the test's own event loop (so a
reload that starts a tenant starts it where the requests run), reached through httpx's ASGI
transport."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

from entrypoints.config.settings import settings_from
from entrypoints.config.tenants import read_tenants
from entrypoints.tenancy.apps import LifespanRunner, TenantApp
from entrypoints.tenancy.front import TenantsService, tenants_service

BASE_URL = "http://127.0.0.1:3000"
T = TypeVar("T")


def sha256_line(token: str) -> str:
    """The ``auth_tokens`` entry of ``token`` (what ``helpdesk-bridge hash-token`` prints)."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


async def in_one_second(burst: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """``burst()`` started just after a second of the system clock begins, and run again (up to
    ``attempts`` times) while it ended in another second: the tenants' rate limits count fixed
    one-second windows of that clock, which a tenant's service cannot be given a clock for, so a
    burst straddling a boundary would get two budgets on a slow machine."""
    for _ in range(attempts):
        await asyncio.sleep(1.02 - time.time() % 1.0)
        started = time.time()
        result = await burst()
        if int(time.time()) == int(started):
            return result
    raise AssertionError(f"could not fit the burst into one second in {attempts} attempts")


class InProcessTenants:
    """``async with InProcessTenants(toml, env) as service``: started, stopped at exit."""

    def __init__(self, toml: str, env: Mapping[str, str] | None = None) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="hdb-tenants-")
        self.path = Path(self._directory.name) / "tenants.toml"
        self.path.write_text(toml, encoding="utf-8")
        self.values = {
            "TENANTS_FILE": str(self.path),
            "OUTBOX_PATH": str(Path(self._directory.name) / "outbox.sqlite3"),
            **(env or {}),
        }
        settings = settings_from(self.values)
        self.service: TenantsService = tenants_service(
            settings, read_tenants(self.values, settings), lambda: dict(self.values)
        )
        self._lifespan = LifespanRunner(self.service.app)
        self._seen: dict[str, TenantApp] = {}

    async def __aenter__(self) -> InProcessTenants:
        await self._lifespan.startup()
        self._seen = dict(self.service.registry.selection.value.by_name)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            await self._lifespan.shutdown()
        finally:
            self._directory.cleanup()

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.service.app, client=("127.0.0.1", 40000))
        return httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=10)

    def tenant(self, name: str) -> TenantApp:
        """A tenant serving now, or last seen serving (its container holds its helpdesk and
        stores, which a test may read after the service stopped)."""
        self._seen.update(self.service.registry.selection.value.by_name)
        return self._seen[name]

    def rewrite(self, toml: str) -> bool:
        """Write the tenants file anew and reload as SIGHUP would; whether it was applied."""
        self.path.write_text(toml, encoding="utf-8")
        return self.service.reloader.reload()
