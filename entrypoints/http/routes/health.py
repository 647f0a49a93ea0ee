"""``/healthz`` (the process is alive) and ``/readyz`` (its dependencies answer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import msgspec
import structlog
from litestar import Response

from adapters.helpdesk.known_health import Verdict
from application.ports import HealthProbe
from entrypoints.asgi.responses import JSON
from entrypoints.wire.bodies import HealthBody, ReadinessBody

SERVICE_NAME = "ispn-helpdesk-bridge"
PROBE_TIMEOUT_SECONDS = 3.0


@runtime_checkable
class KnowsHealth(Protocol):
    """A dependency that knows its health from the calls it has served, without calling it (the
    helpdesk gateways: their circuit and their last call's outcome). Cheap, synchronous, no I/O."""

    def known_health(self) -> Verdict | None: ...


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def liveness() -> Response[bytes]:
    body = HealthBody(status="ok", service=SERVICE_NAME, timestamp=_timestamp())
    return Response(msgspec.json.encode(body), media_type=JSON)


async def _healthy(name: str, probe: HealthProbe) -> bool:
    try:
        return await asyncio.wait_for(probe.check_health(), PROBE_TIMEOUT_SECONDS)
    except TimeoutError:
        return False
    except Exception:  # a probe with a bug: logged as the bug it is, and /readyz still answers
        structlog.get_logger("helpdesk_bridge").exception("readyz.probe_failed", check=name)
        return False


class ReadinessChecks:
    """The dependencies' health: probed at most once per ``cache_seconds``, but never hiding
    what a dependency already knows.

    Each helpdesk probe is an authenticated API call, and orchestrators poll ``/readyz`` every
    few seconds from every pod: uncached, ten pods polling every 5 s would spend 120 of
    Zendesk's smallest plan's 200 requests a minute on health checks. Concurrent callers share
    one probe round; ``cache_seconds=0`` probes on every call.

    A cache may save probe calls, never hide a known failure: a probe that ``KnowsHealth``
    (the helpdesk gateways) is asked first, on every call. An open circuit or a call that has
    just failed reads unhealthy at once; a call that succeeded after the cached probe reads
    healthy at once; otherwise the cached probe stands. ``clock`` is a monotonic seconds source.
    """

    def __init__(
        self,
        probes: Mapping[str, HealthProbe],
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probes = dict(probes)
        self._knowing = {n: p for n, p in self._probes.items() if isinstance(p, KnowsHealth)}
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._checked: dict[str, bool] | None = None
        self._seen: dict[str, int] = {}  # each known verdict's serial when the probes last ran
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def results(self) -> dict[str, bool]:
        probed = await self._probed()
        return {name: self._current(name, ok) for name, ok in probed.items()}

    def _current(self, name: str, probed: bool) -> bool:
        source = self._knowing.get(name)
        verdict = source.known_health() if source is not None else None
        if verdict is None:
            return probed
        if not verdict.healthy:
            return False
        return probed or verdict.serial > self._seen.get(name, 0)

    async def _probed(self) -> dict[str, bool]:
        if self._checked is not None and self._clock() < self._expires:
            return self._checked
        async with self._lock:
            if self._checked is None or self._clock() >= self._expires:
                names = list(self._probes)
                healthy = await asyncio.gather(*(_healthy(n, self._probes[n]) for n in names))
                self._checked = dict(zip(names, healthy, strict=True))
                self._seen = {n: self._serial(n) for n in self._knowing}
                self._expires = self._clock() + self._cache_seconds
            return self._checked

    def _serial(self, name: str) -> int:
        verdict = self._knowing[name].known_health()
        return verdict.serial if verdict is not None else 0


HELPDESK_CHECK = "helpdesk"


def readiness_status(results: Mapping[str, bool], queueing: bool) -> tuple[str, int]:
    """``ready`` (200), ``degraded`` (200: the helpdesk is down but hand-offs are still accepted,
    queued durably - only with HELPDESK_DOWN_POLICY=queue) or ``unavailable`` (503).

    An orchestrator takes an instance out of rotation on 503: during a helpdesk outage every
    instance that can still queue hand-offs must stay in, or callers lose even that."""
    if all(results.values()):
        return "ready", 200
    others = [ok for name, ok in results.items() if name != HELPDESK_CHECK]
    if queueing and not results.get(HELPDESK_CHECK, True) and all(others):
        return "degraded", 200
    return "unavailable", 503


async def readiness(checks: ReadinessChecks, queueing: bool = False) -> Response[bytes]:
    """Every dependency's health and the verdict of ``readiness_status``."""
    results = await checks.results()
    status, code = readiness_status(results, queueing)
    return readiness_answer(status, code, results)


def readiness_answer(status: str, code: int, results: Mapping[str, bool]) -> Response[bytes]:
    """The ``/readyz`` body: the verdict and each check, healthy or not."""
    body = ReadinessBody(
        status=status,
        service=SERVICE_NAME,
        checks={n: ("healthy" if ok else "unhealthy") for n, ok in results.items()},
        timestamp=_timestamp(),
    )
    return Response(msgspec.json.encode(body), status_code=code, media_type=JSON)
