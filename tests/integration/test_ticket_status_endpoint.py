"""``POST /ingest/ticket-status`` in process (the app ``serve`` runs, on the mock helpdesk): a
caller's tickets by phone, a queued hand-off's reference as ``queued`` until it is delivered,
nothing but state, subject and times in the answer, and the webhook's refusals and failures."""

from __future__ import annotations

import json
from typing import Any

import httpx
from dependency_injector import providers

from entrypoints.workers.delivery import DeliveryWorker
from tests.support.e2e.requests import (
    AUTH,
    JSON_HEADERS,
    assert_error,
    assert_rate_headers,
    compact,
    handoff,
    note,
    signed_headers,
    unique,
)
from tests.support.inprocess import InProcessService
from tests.support.stores.memory_outbox import MemoryOutbox

STATUS = "/ingest/ticket-status"
FAST = {"RATE_LIMIT_PER_SECOND": "100000"}
DOWN = {**FAST, "MOCK_HELPDESK_HEALTHY": "false"}
TICKET_KEYS = ["ticketId", "ticketUrl", "state", "subject", "createdAt", "updatedAt"]
CALLER = "+14155552671"


async def status(client: httpx.AsyncClient, body: object) -> httpx.Response:
    return await client.post(STATUS, content=compact(body), headers={**AUTH, **JSON_HEADERS})


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert_rate_headers(response)
    body: dict[str, Any] = response.json()
    assert list(body) == ["status", "tickets", "say"]
    assert body["status"] == "ok"
    assert isinstance(body["tickets"], list)
    assert all(list(ticket) == TICKET_KEYS for ticket in body["tickets"])
    return body


async def test_a_queued_hand_offs_reference_is_queued_until_it_is_delivered() -> None:
    service = InProcessService(DOWN)
    async with service.client() as client:
        queued = await handoff(
            client, {"note": note("No internet since the storm"), "oaKey": unique()}
        )
        reference = queued.json()["ticketId"]
        waiting = ok(await status(client, {"ticketId": reference.lower()}))

        service.container.helpdesk().healthy = True
        worker = DeliveryWorker(
            service.container.outbox(),
            service.container.deliver_handoff().execute,
            service.container.clock(),
        )
        assert await worker.run_once() == 1
        delivered = ok(await status(client, {"ticketId": reference}))

    assert queued.status_code == 202
    (ticket,) = waiting["tickets"]
    assert ticket["ticketId"] == reference
    assert ticket["state"] == "queued"
    assert ticket["ticketUrl"] == f"http://127.0.0.1:3000/handoffs/{reference}"
    assert ticket["subject"] == "[WiFi] No internet since the storm"
    assert ticket["createdAt"] == ticket["updatedAt"]
    assert ticket["createdAt"].endswith("Z")
    assert (
        waiting["say"] == f"Your request {reference} has been received and will be filed shortly."
    )
    (filed,) = delivered["tickets"]
    assert (filed["state"], filed["ticketId"][:4]) == ("open", "TKT-")
    assert delivered["say"].startswith(
        f"Your request {reference} became ticket {filed['ticketId']}, which is open;"
    )


async def test_by_phone_the_callers_open_tickets_and_nothing_of_their_notes() -> None:
    service = InProcessService(FAST)
    async with service.client() as client:
        wifi = await handoff(client, {"note": note(category="WiFi"), "callerNumber": CALLER})
        outage = await handoff(
            client, {"note": note(category="Outage"), "callerNumber": "+1 415 555 2671"}
        )
        other = await handoff(client, {"note": note(), "callerNumber": "+14155550100"})
        await service.container.helpdesk().append_note(
            wifi.json()["ticketId"], "INTERNAL: caller was rude, account flagged", "Agent"
        )
        found = await status(client, {"callerNumber": "+1 (415) 555-2671"})
        by_id = ok(await status(client, {"ticketId": wifi.json()["ticketId"]}))

    body = ok(found)
    tickets = body["tickets"]
    assert [t["ticketId"] for t in tickets] == [outage.json()["ticketId"], wifi.json()["ticketId"]]
    assert other.json()["ticketId"] not in found.text
    assert [t["state"] for t in tickets] == ["open", "open"]
    assert str(body["say"]).startswith("You have two open tickets: ")
    for answer in (found.text, json.dumps(by_id)):
        assert "INTERNAL" not in answer  # an internal note never reaches the answer
        assert "Confidence" not in answer  # nor the hand-off's body: only its subject
        assert CALLER not in answer  # nor the caller's number


async def test_nothing_found_is_a_200_that_says_so() -> None:
    service = InProcessService(FAST)
    async with service.client() as client:
        by_phone = ok(await status(client, {"callerNumber": CALLER}))
        by_id = ok(await status(client, {"ticketId": "TKT-9999"}))
    assert (by_phone["tickets"], by_id["tickets"]) == ([], [])
    assert "no open or recently solved tickets" in str(by_phone["say"])
    assert by_id["say"] == "I could not find a ticket with the number TKT-9999."


async def test_refusals_are_the_webhooks() -> None:
    service = InProcessService({**FAST, "MAX_BODY_BYTES": "1024"})
    body = {"ticketId": "TKT-1000"}
    async with service.client() as client:
        neither = await status(client, {"callerNumber": "", "ticketId": None})
        malformed = await client.post(STATUS, content=b"{", headers={**AUTH, **JSON_HEADERS})
        anonymous = await client.post(STATUS, json=body)
        as_text = await client.post(STATUS, content=compact(body), headers=AUTH)
        too_large = await client.post(
            STATUS, content=b'{"ticketId":"' + b"x" * 2000 + b'"}', headers={**AUTH, **JSON_HEADERS}
        )
        got = await client.get(STATUS, headers=AUTH)
        signed = signed_headers(compact(body))
        first = await client.post(STATUS, content=compact(body), headers=signed)
        replayed = await client.post(STATUS, content=compact(body), headers=signed)
        with_slash = await client.post(STATUS + "/", json=body, headers=AUTH)
    details = assert_error(neither, 400, "VALIDATION_ERROR")["details"]
    assert details == {"_errors": ["Give callerNumber or ticketId (at least one)"]}
    assert "_errors" in assert_error(malformed, 400, "VALIDATION_ERROR")["details"]
    assert_error(anonymous, 401, "AUTH_REQUIRED")
    assert_error(as_text, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(too_large, 413, "PAYLOAD_TOO_LARGE")
    assert_error(got, 405, "METHOD_NOT_ALLOWED", rate_headers=False)
    assert got.headers["allow"] == "POST"
    ok(first)
    assert_error(replayed, 403, "REPLAY_DETECTED")
    ok(with_slash)


async def test_a_helpdesk_that_is_down_is_a_503_with_retry_after() -> None:
    service = InProcessService(DOWN)
    async with service.client() as client:
        refused = await status(client, {"callerNumber": CALLER})
    body = assert_error(refused, 503, "HELPDESK_UNAVAILABLE")
    assert body["retryAfter"] == int(refused.headers["retry-after"])


async def test_an_outbox_that_cannot_be_read_is_a_503() -> None:
    broken = MemoryOutbox()
    broken.available = False
    service = InProcessService(FAST, overrides={"outbox": providers.Object(broken)})
    async with service.client() as client:
        refused = await status(client, {"ticketId": "HB-7KQ2MX"})
    assert_error(refused, 503, "STORE_UNAVAILABLE")


async def test_the_route_is_counted_under_its_own_name() -> None:
    service = InProcessService(FAST)
    async with service.client() as client:
        ok(await status(client, {"ticketId": "TKT-1"}))
        metrics = await client.get("/metrics")
    assert 'route="ticket_status",method="POST",status="200"' in metrics.text
