"""Prometheus metrics at ``/metrics``: requests and latency per route, hand-off outcomes, and
the error codes answered - fed by the request envelope, which already knows each answer's
status, duration and log fields, so the hand-off path does no extra work for them.

Counters live in plain dicts (one dict update per request) and are rendered in the text
exposition format (version 0.0.4) only when scraped. They are per process: with
``serve --workers N`` each worker counts its own requests (docs/deployment.md).
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from application.ports import OutboxStats

PREFIX = "helpdesk_bridge"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Queued -> delivered: seconds to a day (a helpdesk outage can last hours).
DELIVERY_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 14_400.0, 86_400.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _Histogram:
    __slots__ = ("bounds", "count", "counts", "total")

    def __init__(self, bounds: tuple[float, ...] = BUCKETS) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0
        self.count = 0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.total += seconds
        self.count += 1


class Metrics:
    """This process's counters (with a tenants file: one tenant's, labelled with its name)."""

    def __init__(self, version: str, tenant: str | None = None) -> None:
        self._version = version
        self._started = time.time()
        self._tenant = f'tenant="{tenant}",' if tenant else ""
        """Every series' first label with a tenants file (a name from the file: bounded)."""
        self._requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self._latency: defaultdict[str, _Histogram] = defaultdict(_Histogram)
        self._handoffs: defaultdict[str, int] = defaultdict(int)
        self._errors: defaultdict[str, int] = defaultdict(int)
        self._deliveries: defaultdict[str, int] = defaultdict(int)
        self._delivery_latency = _Histogram(DELIVERY_BUCKETS)

    def observe(
        self,
        method: str,
        route: str,
        status: int,
        seconds: float,
        fields: Mapping[str, Any],
    ) -> None:
        """Count one answered request (called by the edge, after the answer was sent);
        ``route`` is the route table's name for it, a bounded label."""
        self._requests[(route, method if method in _METHODS else "OTHER", status)] += 1
        self._latency[route].observe(seconds)
        if fields:
            code = fields.get("error_code")
            if code is not None:
                self._errors[code] += 1
            elif fields.get("idempotent_replay"):
                self._handoffs["idempotent_replay"] += 1
            elif fields.get("queued"):
                self._handoffs["queued" if fields.get("created") else "queued_again"] += 1
            elif "created" in fields:
                self._handoffs["created" if fields["created"] else "deduplicated"] += 1

    def observe_delivery(self, outcome: str, queued_seconds: float | None) -> None:
        """One delivery attempt of a queued hand-off by this process's worker (``delivered``,
        ``postponed``, ``dead``); ``queued_seconds``: how long a delivered one waited."""
        self._deliveries[outcome] += 1
        if queued_seconds is not None:
            self._delivery_latency.observe(queued_seconds)

    @property
    def started(self) -> float:
        """When this process started (epoch seconds)."""
        return self._started

    def render(self, outbox: OutboxStats | None = None) -> bytes:
        """The text exposition of every series; ``outbox``: the outbox as the scrape found it
        (for Redis, the whole fleet's)."""
        return render_metrics(self._version, self._started, [(self, outbox)])

    def collect(self, families: Families, outbox: OutboxStats | None) -> None:
        """Append this process's (or this tenant's) series to ``families``."""
        tenant = self._tenant
        for (route, method, status), value in sorted(self._requests.items()):
            labels = f'{tenant}route="{route}",method="{method}",status="{status}"'
            families["http_requests_total"].append(
                f"{PREFIX}_http_requests_total{{{labels}}} {value}"
            )
        name = "http_request_duration_seconds"
        for route, histogram in sorted(self._latency.items()):
            _buckets(families[name], name, f'{tenant}route="{route}"', histogram)
        for outcome, value in sorted(self._handoffs.items()):
            labels = f'{tenant}outcome="{outcome}"'
            families["handoffs_total"].append(f"{PREFIX}_handoffs_total{{{labels}}} {value}")
        for code, value in sorted(self._errors.items()):
            labels = f'{tenant}code="{_label(code)}"'
            families["errors_total"].append(f"{PREFIX}_errors_total{{{labels}}} {value}")
        self._collect_outbox(families, outbox)

    def _collect_outbox(self, families: Families, outbox: OutboxStats | None) -> None:
        tenant = self._tenant
        name = "outbox_deliveries_total"
        for outcome, value in sorted(self._deliveries.items()):
            families[name].append(f'{PREFIX}_{name}{{{tenant}outcome="{outcome}"}} {value}')
        name = "outbox_delivery_latency_seconds"
        _buckets(families[name], name, tenant.rstrip(","), self._delivery_latency)
        if outbox is None:
            return
        for state, count in (
            ("queued", outbox.queued),
            ("delivered", outbox.delivered),
            ("dead", outbox.dead),
        ):
            families["outbox_items"].append(
                f'{PREFIX}_outbox_items{{{tenant}state="{state}"}} {count}'
            )
        oldest = outbox.oldest_queued_age_seconds or 0.0
        name = "outbox_oldest_queued_age_seconds"
        braces = f"{{{tenant.rstrip(',')}}}" if tenant else ""
        families[name].append(f"{PREFIX}_{name}{braces} {oldest:.3f}")


Families = dict[str, list[str]]
# (name, type, help, shown without series): the families after info and start time, in order.
_FAMILIES = (
    ("http_requests_total", "counter", "HTTP requests answered.", True),
    ("http_request_duration_seconds", "histogram", "Time to answer an HTTP request.", True),
    ("handoffs_total", "counter", "Hand-offs answered with a ticket, by outcome.", True),
    ("errors_total", "counter", "Refusals and failures, by error code.", True),
    ("outbox_deliveries_total", "counter", "Delivery attempts, by outcome.", True),
    ("outbox_delivery_latency_seconds", "histogram", "Time from queued to delivered.", True),
    ("outbox_items", "gauge", "Hand-offs in the outbox, by state.", False),
    ("outbox_oldest_queued_age_seconds", "gauge", "Age of the oldest queued.", False),
)


def render_metrics(
    version: str, started: float, sources: Sequence[tuple[Metrics, OutboxStats | None]]
) -> bytes:
    """One exposition of several sources' series (one per tenant, each with its ``tenant``
    label): each family's HELP and TYPE once, then every source's samples of it."""
    families: Families = {name: [] for name, *_ in _FAMILIES}
    for metrics, outbox in sources:
        metrics.collect(families, outbox)
    lines: list[str] = []
    _family(lines, "info", "gauge", "The running version of helpdesk-bridge.")
    lines.append(f'{PREFIX}_info{{version="{version}"}} 1')
    _family(lines, "process_start_time_seconds", "gauge", "Start of this process (epoch).")
    lines.append(f"{PREFIX}_process_start_time_seconds {started:.3f}")
    for name, kind, help_text, always in _FAMILIES:
        if always or families[name]:
            _family(lines, name, kind, help_text)
            lines.extend(families[name])
    return ("\n".join(lines) + "\n").encode()


def _buckets(lines: list[str], name: str, labels: str, histogram: _Histogram) -> None:
    """A histogram's cumulative buckets, sum and count, under ``labels`` (may be empty)."""
    cumulative = 0
    prefix = f"{labels}," if labels else ""
    for bound, count in zip((*histogram.bounds, "+Inf"), histogram.counts, strict=True):
        cumulative += count
        lines.append(f'{PREFIX}_{name}_bucket{{{prefix}le="{bound}"}} {cumulative}')
    braces = f"{{{labels}}}" if labels else ""
    lines.append(f"{PREFIX}_{name}_sum{braces} {histogram.total:.6f}")
    lines.append(f"{PREFIX}_{name}_count{braces} {histogram.count}")


def _family(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP {PREFIX}_{name} {help_text}")
    lines.append(f"# TYPE {PREFIX}_{name} {kind}")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
