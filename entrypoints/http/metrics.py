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
from collections.abc import Mapping
from typing import Any

PREFIX = "helpdesk_bridge"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _Histogram:
    __slots__ = ("count", "counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.total = 0.0
        self.count = 0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.total += seconds
        self.count += 1


class Metrics:
    """This process's counters."""

    def __init__(self, version: str) -> None:
        self._version = version
        self._started = time.time()
        self._requests: defaultdict[tuple[str, str, int], int] = defaultdict(int)
        self._latency: defaultdict[str, _Histogram] = defaultdict(_Histogram)
        self._handoffs: defaultdict[str, int] = defaultdict(int)
        self._errors: defaultdict[str, int] = defaultdict(int)

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
            elif "created" in fields:
                self._handoffs["created" if fields["created"] else "deduplicated"] += 1

    def render(self) -> bytes:
        """The text exposition of every series."""
        lines: list[str] = []
        _family(lines, "info", "gauge", "The running version of helpdesk-bridge.")
        lines.append(f'{PREFIX}_info{{version="{self._version}"}} 1')
        _family(lines, "process_start_time_seconds", "gauge", "Start of this process (epoch).")
        lines.append(f"{PREFIX}_process_start_time_seconds {self._started:.3f}")
        _family(lines, "http_requests_total", "counter", "HTTP requests answered.")
        for (route, method, status), value in sorted(self._requests.items()):
            labels = f'route="{route}",method="{method}",status="{status}"'
            lines.append(f"{PREFIX}_http_requests_total{{{labels}}} {value}")
        name = "http_request_duration_seconds"
        _family(lines, name, "histogram", "Time to answer an HTTP request.")
        for route, histogram in sorted(self._latency.items()):
            cumulative = 0
            for bound, count in zip((*BUCKETS, "+Inf"), histogram.counts, strict=True):
                cumulative += count
                lines.append(f'{PREFIX}_{name}_bucket{{route="{route}",le="{bound}"}} {cumulative}')
            lines.append(f'{PREFIX}_{name}_sum{{route="{route}"}} {histogram.total:.6f}')
            lines.append(f'{PREFIX}_{name}_count{{route="{route}"}} {histogram.count}')
        _family(lines, "handoffs_total", "counter", "Hand-offs answered with a ticket, by outcome.")
        for outcome, value in sorted(self._handoffs.items()):
            lines.append(f'{PREFIX}_handoffs_total{{outcome="{outcome}"}} {value}')
        _family(lines, "errors_total", "counter", "Refusals and failures, by error code.")
        for code, value in sorted(self._errors.items()):
            lines.append(f'{PREFIX}_errors_total{{code="{_label(code)}"}} {value}')
        return ("\n".join(lines) + "\n").encode()


def _family(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP {PREFIX}_{name} {help_text}")
    lines.append(f"# TYPE {PREFIX}_{name} {kind}")


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
