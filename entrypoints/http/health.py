"""``/healthz`` (the process is alive) and ``/readyz`` (its dependencies answer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime

import msgspec
from litestar import Response

from application.ports import HealthProbe
from entrypoints.boundary import HealthBody, ReadinessBody
from entrypoints.http.errors import JSON

SERVICE_NAME = "ispn-helpdesk-bridge"
PROBE_TIMEOUT_SECONDS = 3.0


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def liveness() -> Response[bytes]:
    body = HealthBody(status="ok", service=SERVICE_NAME, timestamp=_timestamp())
    return Response(msgspec.json.encode(body), media_type=JSON)


async def _healthy(probe: HealthProbe) -> bool:
    try:
        return await asyncio.wait_for(probe.check_health(), PROBE_TIMEOUT_SECONDS)
    except Exception:  # a probe that throws is unhealthy, never a 500
        return False


class ReadinessChecks:
    """The dependencies' health, probed at most once per ``cache_seconds``.

    Each helpdesk probe is an authenticated API call, and orchestrators poll ``/readyz`` every
    few seconds from every pod: uncached, ten pods polling every 5 s would spend 120 of
    Zendesk's smallest plan's 200 requests a minute on health checks. Concurrent callers share
    one probe round; ``cache_seconds=0`` probes on every call.
    """

    def __init__(self, probes: Mapping[str, HealthProbe], cache_seconds: float) -> None:
        self._probes = dict(probes)
        self._cache_seconds = cache_seconds
        self._checked: dict[str, bool] | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def results(self) -> dict[str, bool]:
        if self._checked is not None and time.monotonic() < self._expires:
            return self._checked
        async with self._lock:
            if self._checked is None or time.monotonic() >= self._expires:
                names = list(self._probes)
                healthy = await asyncio.gather(*(_healthy(self._probes[n]) for n in names))
                self._checked = dict(zip(names, healthy, strict=True))
                self._expires = time.monotonic() + self._cache_seconds
            return self._checked


async def readiness(checks: ReadinessChecks) -> Response[bytes]:
    """Every dependency's health; 503 when any is unhealthy."""
    results = await checks.results()
    ready = all(results.values())
    body = ReadinessBody(
        status="ready" if ready else "unavailable",
        service=SERVICE_NAME,
        checks={n: ("healthy" if ok else "unhealthy") for n, ok in results.items()},
        timestamp=_timestamp(),
    )
    return Response(msgspec.json.encode(body), status_code=200 if ready else 503, media_type=JSON)
