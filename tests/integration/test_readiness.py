"""/readyz through the app: its 10 s cache never hides a hand-off that has just failed."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from adapters.helpdesk.mock import MockHelpdesk
from entrypoints.bootstrap.container import build_container
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app

NOTE = "Category: WiFi\nReason: CallerRequested\nSummary: No WiFi\nConfidence: 0.85"
AUTH = {"x-auth-token": "t", "content-type": "application/json"}


async def test_a_failed_hand_off_shows_on_the_next_readyz_and_a_good_one_clears_it() -> None:
    wired = build_container(
        load_settings(
            {"AUTH_TOKEN": "t", "READYZ_CACHE_SECONDS": "10", "HELPDESK_DOWN_POLICY": "fail"},
            "/nonexistent/.env",
        )
    )
    helpdesk = wired.helpdesk()
    assert isinstance(helpdesk, MockHelpdesk)
    async with AsyncTestClient(service_app(wired)) as client:
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()["checks"]) == (200, {"helpdesk": "healthy"})

        helpdesk.healthy = False  # the helpdesk goes down inside the cache window
        failed = await client.post("/ingest/oa-handoff", json={"note": NOTE}, headers=AUTH)
        assert failed.json()["code"] == "HELPDESK_UNAVAILABLE"
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()["checks"]) == (503, {"helpdesk": "unhealthy"})

        helpdesk.healthy = True
        filed = await client.post("/ingest/oa-handoff", json={"note": NOTE}, headers=AUTH)
        assert filed.status_code == 200
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()["checks"]) == (200, {"helpdesk": "healthy"})
