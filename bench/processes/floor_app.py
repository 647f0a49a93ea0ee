"""The floor: a bare Litestar endpoint that only decodes the body into a msgspec Struct.

Same route, same body and the same server settings as the service, none of its work (no auth,
no rate limit, no dedup, no logging). What the hand-off path costs is measured against this, in
the same interleaved run (``python -m bench handoff``).

    python -m bench.processes.floor_app --port 3902   # on the production server settings
"""

from __future__ import annotations

import msgspec
from litestar import Litestar, get, post


class FloorPayload(msgspec.Struct, rename="camel", frozen=True):
    """The hand-off body's fields, decoded and typed; nothing checked beyond JSON types."""

    note: str
    category: str | None = None
    escalation_reason: str | None = None
    confidence: str | None = None
    caller_number: str | None = None
    oa_key: str | None = None
    source: str | None = None


class FloorAnswer(msgspec.Struct, rename="camel", frozen=True):
    status: str
    oa_key: str | None


@post("/ingest/oa-handoff", status_code=200, sync_to_thread=False)
def handoff(data: FloorPayload) -> FloorAnswer:
    return FloorAnswer(status="ok", oa_key=data.oa_key)


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_app() -> Litestar:
    return Litestar(route_handlers=[handoff, healthz], openapi_config=None, logging_config=None)


if __name__ == "__main__":  # pragma: no cover - a server process
    from bench.processes.serve import main

    main("bench.processes.floor_app:create_app")
