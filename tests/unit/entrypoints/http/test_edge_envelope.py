"""The edge's envelope for what a client controls: an X-Request-ID is kept only in its shape,
and the access line logs the route's template, never the request's own path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from entrypoints.bootstrap.metrics import Metrics
from entrypoints.http.edge import CLIENT_CLOSED, UNMATCHED, Edge, Route, RouteTable

SHAPE = re.compile(r"[A-Za-z0-9._-]{1,64}")


async def answered(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def silent(scope: Any, receive: Any, send: Any) -> None:
    return None  # the client went away before the body: nobody to answer


async def nothing(*_args: Any) -> None:
    return None


def edge() -> Edge:
    routes = RouteTable(
        exact={"/ingest/oa-handoff": Route("handoff", answered)},
        prefixes={
            "/handoffs": Route("handoffs", answered, "/handoffs/{reference}"),
            "/mcp": Route("mcp", answered),
            "/gone": Route("gone", silent),
        },
        fallback=Route("other", answered),
    )
    return Edge(routes, nothing, Metrics("test"))


async def call(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[Any, Any]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": headers or []}
    with capture_logs() as logs:
        await edge()(scope, nothing, send)
    start = sent[0] if sent else {"headers": []}
    return dict(start["headers"]), logs[0]


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/ingest/oa-handoff", "/ingest/oa-handoff"),
        ("/ingest/oa-handoff/", "/ingest/oa-handoff"),
        ("/handoffs/HB-SECRET1", "/handoffs/{reference}"),
        ("/mcp", "/mcp"),
        ("/mcp/anything/token-abc", "/mcp/{path}"),
        ("/token-abc/xyz", UNMATCHED),
    ],
)
async def test_the_access_line_logs_the_routes_template(path, logged):
    _headers, line = await call(path)
    assert line["path"] == logged


async def test_a_request_nobody_answered_is_logged_as_client_closed():
    _headers, line = await call("/gone/x")
    assert line["status"] == CLIENT_CLOSED


@given(st.text(max_size=80))
async def test_a_request_id_is_kept_only_in_its_shape(request_id):
    raw = request_id.encode("utf-8")
    headers, line = await call("/mcp", [(b"x-request-id", raw)])
    echoed = headers[b"x-request-id"].decode()
    assert SHAPE.fullmatch(echoed)
    assert (echoed == request_id) is bool(SHAPE.fullmatch(request_id))
    assert line["request_id"] == echoed
