"""Queued hand-offs at the edge, in process: a hand-off the helpdesk cannot take is answered 202
with a reference the caller can quote, the same problem gets the same reference, the reference
is looked up at /handoffs/{reference}, and a delivery turns it into the real ticket - which the
next hand-off of the problem then answers with. With the fail policy, the spec's 503; with an
outbox that cannot keep it, 503 - never a 202 for something not kept."""

from __future__ import annotations

from dependency_injector import providers

from application.speech.handoff import DEFAULT_QUEUED
from entrypoints.workers.delivery import DeliveryWorker
from tests.support.e2e.requests import (
    AUTH,
    HANDOFF_KEYS,
    assert_error,
    assert_rate_headers,
    handoff,
    note,
    unique,
)
from tests.support.inprocess import InProcessService
from tests.support.stores.memory_outbox import MemoryOutbox

DOWN = {"MOCK_HELPDESK_HEALTHY": "false", "RATE_LIMIT_PER_SECOND": "100000"}
QUEUED_KEYS = [*HANDOFF_KEYS, "queued"]


async def test_a_hand_off_the_helpdesk_cannot_take_is_queued_and_delivered_later() -> None:
    service = InProcessService(DOWN)
    payload = {"note": note("No internet since the storm"), "oaKey": unique()}
    async with service.client() as client:
        first = await handoff(client, payload)
        again = await handoff(client, payload)
        reference = first.json()["ticketId"]
        waiting = await client.get(f"/handoffs/{reference.lower()}", headers=AUTH)

        service.container.helpdesk().healthy = True
        worker = DeliveryWorker(
            service.container.outbox(),
            service.container.deliver_handoff().execute,
            service.container.clock(),
        )
        assert await worker.run_once() == 1
        delivered = await client.get(f"/handoffs/{reference}", headers=AUTH)
        after = await handoff(client, payload)

    assert first.status_code == again.status_code == 202
    body = first.json()
    assert list(body) == QUEUED_KEYS
    assert (body["status"], body["queued"], body["created"]) == ("queued", True, True)
    assert body["say"] == DEFAULT_QUEUED.format(reference=reference)
    assert body["ticketUrl"] == f"http://127.0.0.1:3000/handoffs/{reference}"
    assert reference.startswith("HB-")
    assert len(reference) == 9
    assert_rate_headers(first)
    assert (again.json()["ticketId"], again.json()["created"]) == (reference, False)

    assert waiting.status_code == 200
    assert waiting.json()["state"] == "queued"
    assert waiting.json()["reference"] == reference
    assert set(waiting.json()) == {
        "reference",
        "state",
        "ticketId",
        "ticketUrl",
        "attempts",
        "lastError",
        "queuedAt",
        "deliveredAt",
    }
    state = delivered.json()
    assert (state["state"], state["attempts"]) == ("delivered", 1)
    assert state["ticketId"].startswith("TKT-")
    assert after.status_code == 200
    assert (after.json()["ticketId"], after.json()["created"]) == (state["ticketId"], False)


async def test_the_status_route_refuses_like_the_webhook() -> None:
    service = InProcessService(DOWN)
    async with service.client() as client:
        unknown = await client.get("/handoffs/HB-ZZZZZZ", headers=AUTH)
        bare = await client.get("/handoffs/", headers=AUTH)
        anonymous = await client.get("/handoffs/HB-ZZZZZZ")
        posted = await client.post("/handoffs/HB-ZZZZZZ", headers=AUTH)
    assert_error(unknown, 404, "NOT_FOUND")
    assert "HB-ZZZZZZ" in unknown.json()["message"]
    assert bare.status_code == 404
    assert_error(anonymous, 401, "AUTH_REQUIRED")
    assert posted.status_code == 405
    assert posted.headers["allow"] == "GET, HEAD"


async def test_the_fail_policy_answers_the_specs_503() -> None:
    service = InProcessService({**DOWN, "HELPDESK_DOWN_POLICY": "fail"})
    async with service.client() as client:
        refused = await handoff(client, {"note": note(), "oaKey": unique()})
        ready = await client.get("/readyz")
    body = assert_error(refused, 503, "HELPDESK_UNAVAILABLE")
    assert body["retryAfter"] == int(refused.headers["retry-after"])  # one number, two places
    assert "queued" not in body
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"helpdesk": "unhealthy"}


async def test_an_outbox_that_cannot_keep_it_is_a_503_never_a_202() -> None:
    broken = MemoryOutbox()
    broken.available = False
    service = InProcessService(DOWN, overrides={"outbox": providers.Object(broken)})
    async with service.client() as client:
        refused = await handoff(client, {"note": note(), "oaKey": unique()})
        ready = await client.get("/readyz")
    assert_error(refused, 503, "STORE_UNAVAILABLE")
    assert ready.status_code == 503
    assert ready.json()["checks"]["outbox"] == "unhealthy"


async def test_with_the_helpdesk_down_readyz_says_degraded_while_hand_offs_are_queued() -> None:
    service = InProcessService(DOWN)
    async with service.client() as client:
        ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"] == {"helpdesk": "unhealthy", "outbox": "healthy"}
