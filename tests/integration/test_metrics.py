"""/metrics: Prometheus text with what the service answered, and nothing sensitive."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from entrypoints.bootstrap.container import build_container
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app

NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: No WiFi at all\nConfidence: 0.85"
AUTH = {"x-auth-token": "t", "content-type": "application/json"}
SAMPLE = re.compile(
    r'^helpdesk_bridge_[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$'
)


def value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not in /metrics")


async def test_requests_outcomes_and_errors_are_counted() -> None:
    app = service_app(build_container(load_settings({"AUTH_TOKEN": "t"}, "/nonexistent/.env")))
    payload = {"note": NOTE, "oaKey": "m-1", "callerNumber": "+14155552671"}
    async with AsyncTestClient(app) as client:
        assert (await client.post("/ingest/oa-handoff", json=payload, headers=AUTH)).is_success
        assert (await client.post("/ingest/oa-handoff", json=payload, headers=AUTH)).is_success
        bad = await client.post("/ingest/oa-handoff", json={"note": "short"}, headers=AUTH)
        assert bad.status_code == 400
        await client.get("/no/such/path/+14155552671")
        text = (await client.get("/metrics")).text

    p = "helpdesk_bridge"
    assert value(text, f'{p}_handoffs_total{{outcome="created"}}') == 1
    assert value(text, f'{p}_handoffs_total{{outcome="deduplicated"}}') == 1
    assert value(text, f'{p}_errors_total{{code="VALIDATION_ERROR"}}') == 1
    ok = f'{p}_http_requests_total{{route="handoff",method="POST",status="200"}}'
    assert value(text, ok) == 2
    assert value(text, f'{p}_http_requests_total{{route="other",method="GET",status="404"}}') == 1
    assert value(text, f'{p}_http_request_duration_seconds_count{{route="handoff"}}') == 3
    assert (
        value(text, f'{p}_http_request_duration_seconds_bucket{{route="handoff",le="+Inf"}}') == 3
    )
    assert "+14155552671" not in text
    assert "m-1" not in text
    for line in text.splitlines():
        assert line.startswith("# ") or SAMPLE.match(line), line


async def test_routes_are_a_bounded_set_of_names_from_the_route_table() -> None:
    app = service_app(build_container(load_settings({"AUTH_TOKEN": "t"}, "/nonexistent/.env")))
    async with AsyncTestClient(app) as client:
        for path in (
            "/mcp/",
            "/schema/openapi.json",
            "/healthz/",
            *(f"/random/{n}" for n in range(50)),
        ):
            await client.get(path)
        text = (await client.get("/metrics")).text
    routes = set(re.findall(r'http_requests_total\{route="([a-z]+)"', text))
    assert routes == {"mcp", "schema", "healthz", "other"}


def test_odd_methods_share_one_label() -> None:
    from entrypoints.bootstrap.metrics import Metrics

    metrics = Metrics("test")
    for method in ("BREW", "PROPFIND", "X" * 50):
        metrics.observe(method, "/", 405, 0.001, {})
    assert 'method="OTHER",status="405"} 3' in metrics.render().decode()


def test_outbox_series_count_deliveries_and_report_the_store() -> None:
    from application.ports import OutboxStats
    from entrypoints.bootstrap.metrics import Metrics

    metrics = Metrics("test")
    metrics.observe_delivery("postponed", None)
    metrics.observe_delivery("delivered", 42.0)
    metrics.observe("POST", "handoff", 202, 0.01, {"queued": True, "created": True})
    metrics.observe("POST", "handoff", 202, 0.01, {"queued": True, "created": False})
    stats = OutboxStats(queued=3, delivered=7, dead=1, oldest_queued_age_seconds=12.5)
    text = metrics.render(stats).decode()

    p = "helpdesk_bridge"
    assert value(text, f'{p}_outbox_deliveries_total{{outcome="delivered"}}') == 1
    assert value(text, f'{p}_outbox_deliveries_total{{outcome="postponed"}}') == 1
    assert value(text, f'{p}_outbox_delivery_latency_seconds_bucket{{le="60.0"}}') == 1
    assert value(text, f'{p}_outbox_delivery_latency_seconds_bucket{{le="30.0"}}') == 0
    assert value(text, f'{p}_outbox_items{{state="queued"}}') == 3
    assert value(text, f'{p}_outbox_items{{state="dead"}}') == 1
    assert value(text, f"{p}_outbox_oldest_queued_age_seconds") == 12.5
    assert value(text, f'{p}_handoffs_total{{outcome="queued"}}') == 1
    assert value(text, f'{p}_handoffs_total{{outcome="queued_again"}}') == 1
    for line in text.splitlines():
        assert line.startswith("# ") or SAMPLE.match(line), line
