"""``/healthz`` (the process is alive) and ``/readyz`` (its dependencies answer)."""

from __future__ import annotations

import asyncio
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


async def readiness(probes: Mapping[str, HealthProbe]) -> Response[bytes]:
    """Probe every dependency at once; 503 when any is unhealthy."""
    names = list(probes)
    results = await asyncio.gather(*(_healthy(probes[n]) for n in names))
    checks = {n: ("healthy" if ok else "unhealthy") for n, ok in zip(names, results, strict=True)}
    ready = all(results)
    body = ReadinessBody(
        status="ready" if ready else "unavailable",
        service=SERVICE_NAME,
        checks=checks,
        timestamp=_timestamp(),
    )
    return Response(msgspec.json.encode(body), status_code=200 if ready else 503, media_type=JSON)
