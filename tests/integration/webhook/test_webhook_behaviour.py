"""The hand-off webhook in process: token auth, idempotency, what the answer echoes, and the
rate limit."""

from __future__ import annotations

import asyncio

from adapters.clock import ManualClock
from tests.support.e2e.requests import (
    HANDOFF,
    JSON_HEADERS,
    assert_error,
    assert_ok,
    assert_rate_headers,
    handoff,
    note,
    ticket_number,
    unique,
    unique_caller,
)
from tests.support.inprocess import InProcessService, on_clock


async def file_unkeyed_ticket(client) -> int:
    """File a ticket nothing dedups against; its number shows how many were filed before."""
    body = assert_ok(await handoff(client, {"note": note("Probe ticket to count filings")}))
    assert body["created"] is True
    return ticket_number(body["ticketId"])


# -- authentication (token) -------------------------------------------------------------------


async def test_no_credentials_and_wrong_token(service):
    async with service.client() as client:
        missing = await client.post(HANDOFF, json={"note": note()})
        wrong = await client.post(HANDOFF, json={"note": note()}, headers={"x-auth-token": "nope"})
        empty = await client.post(HANDOFF, json={"note": note()}, headers={"x-auth-token": ""})

    assert_error(missing, 401, "AUTH_REQUIRED")
    assert_error(wrong, 401, "AUTH_REQUIRED")
    assert_error(empty, 401, "AUTH_REQUIRED")


async def test_auth_is_checked_before_the_body(service):
    async with service.client() as client:
        response = await client.post(HANDOFF, content=b"{not json", headers=JSON_HEADERS)

    assert_error(response, 401, "AUTH_REQUIRED")


# -- idempotency --------------------------------------------------------------------------------


async def test_idempotent_replay_returns_the_stored_answer_and_files_once(service):
    key = unique("idem")
    payload = {"note": note("Idempotent replay test")}
    async with service.client() as client:
        first = await handoff(client, payload, Idempotency_Key=key)
        second = await handoff(client, payload, Idempotency_Key=key)
        third = await handoff(client, payload, Idempotency_Key=key)
        next_number = await file_unkeyed_ticket(client)

    body = assert_ok(first)
    assert body["created"] is True
    assert "idempotent-replayed" not in first.headers
    for replay in (second, third):
        assert_ok(replay)
        assert replay.content == first.content
        assert replay.headers["idempotent-replayed"] == "true"
    assert next_number == ticket_number(body["ticketId"]) + 1  # no ticket filed by the replays


async def test_idempotency_key_with_another_payload_conflicts(service):
    key = unique("idem")
    async with service.client() as client:
        first = await handoff(client, {"note": note("First payload for key")}, Idempotency_Key=key)
        other = await handoff(client, {"note": note("Other payload for key")}, Idempotency_Key=key)
        again = await handoff(client, {"note": note("First payload for key")}, Idempotency_Key=key)

    assert_ok(first)
    body = assert_error(other, 409, "IDEMPOTENCY_CONFLICT")
    assert "Idempotency-Key" in body["message"]
    assert again.content == first.content


async def test_idempotency_keys_are_independent(service):
    payload = {"note": note("Two keys, two tickets")}
    async with service.client() as client:
        first = assert_ok(await handoff(client, payload, Idempotency_Key=unique("idem")))
        second = assert_ok(await handoff(client, payload, Idempotency_Key=unique("idem")))

    assert first["ticketId"] != second["ticketId"]


async def test_failed_request_is_not_stored_under_the_key(service):
    key = unique("idem")
    async with service.client() as client:
        invalid = await handoff(client, {"note": "short"}, Idempotency_Key=key)
        valid = await handoff(client, {"note": note()}, Idempotency_Key=key)

    assert_error(invalid, 400, "VALIDATION_ERROR")
    assert_ok(valid)
    assert "idempotent-replayed" not in valid.headers


async def test_bad_idempotency_key(service):
    async with service.client() as client:
        response = await handoff(client, {"note": note()}, Idempotency_Key="k" * 300)

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(body["details"]) == ["Idempotency-Key"]


# -- hand-off details ---------------------------------------------------------------------------


async def test_caller_number_is_echoed_normalised(service):
    caller = unique_caller()
    spaced = f"{caller[:2]} {caller[2:5]} {caller[5:8]} {caller[8:]}"
    async with service.client() as client:
        body = assert_ok(await handoff(client, {"note": note(), "callerNumber": spaced}))

    assert body["echo"]["callerNumber"] == caller


async def test_explicit_fields_win_over_the_note(service):
    payload = {
        "note": note(category="WiFi", reason="CallerRequested", confidence="0.85"),
        "category": "Wiring",
        "escalationReason": "SafetyRisk",
        "confidence": "0.4",
        "oaKey": unique(),
    }
    async with service.client() as client:
        body = assert_ok(await handoff(client, payload))

    assert (body["category"], body["escalationReason"], body["confidence"]) == (
        "Wiring",
        "SafetyRisk",
        "0.4",
    )


async def test_every_category_and_reason_is_accepted(service):
    categories = ["Outage", "WiFi", "CGNAT", "Wiring", "EquipmentReturn", "Unknown"]
    reasons = [
        "CallerRequested",
        "TwoStepsNoResolve",
        "OutOfScope",
        "SafetyRisk",
        "BillingOrAccount",
        "Other",
    ]
    async with service.client() as client:
        answers = await asyncio.gather(
            *(
                handoff(client, {"note": note(category=c, reason=r), "oaKey": unique()})
                for c, r in zip(categories, reasons, strict=True)
            )
        )

    for category, reason, response in zip(categories, reasons, answers, strict=True):
        body = assert_ok(response)
        assert (body["category"], body["escalationReason"]) == (category, reason)


# -- rate limiting (its own app: the default 10 per second) ------------------------------------


async def test_rate_limit():
    clock = ManualClock()  # time moves only when the test says: one window for the 25
    limited = InProcessService(overrides=on_clock(clock))  # RATE_LIMIT_PER_SECOND default: 10
    async with limited.client() as client:
        answers = await asyncio.gather(
            *(handoff(client, {"note": note(), "oaKey": f"oa-rate-{i}"}) for i in range(25))
        )
        # Keyed by token: a caller without one is its own client (refused for auth, not rate).
        anonymous = await client.post(HANDOFF, json={"note": note()})

        refused = [r for r in answers if r.status_code == 429]
        accepted = [r for r in answers if r.status_code == 200]
        assert len(refused) >= 5
        assert len(accepted) >= 10
        assert len(refused) + len(accepted) == 25
        for response in answers:
            assert_rate_headers(response)
            assert response.headers["ratelimit-limit"] == "10"
            assert 0 <= int(response.headers["ratelimit-remaining"]) <= 9
            assert response.headers["ratelimit-reset"] == "1"  # seconds to the next window
        for response in refused:
            body = assert_error(response, 429, "RATE_LIMIT_EXCEEDED")
            assert body == {
                "status": "error",
                "code": "RATE_LIMIT_EXCEEDED",
                "message": "Too many requests. Rate limit: 10 requests per second",
                "retryAfter": 1,
            }
            assert response.headers["retry-after"] == "1"
            assert response.headers["ratelimit-remaining"] == "0"
        assert_error(anonymous, 401, "AUTH_REQUIRED")

        # After retryAfter the budget is back.
        clock.advance(refused[0].json()["retryAfter"])
        assert_ok(await handoff(client, {"note": note(), "oaKey": "oa-rate-later"}))
