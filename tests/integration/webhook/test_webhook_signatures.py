"""HMAC-signed hand-offs in process: signatures, timestamps, replays."""

from __future__ import annotations

import asyncio
import time

from tests.support.e2e.requests import (
    HANDOFF,
    assert_error,
    assert_ok,
    compact,
    handoff,
    note,
    signed_headers,
    unique,
)
from tests.support.inprocess import InProcessService

# -- HMAC ---------------------------------------------------------------------------------------


async def test_signed_request_is_accepted(service):
    body = compact({"note": note(), "oaKey": unique()})
    async with service.client() as client:
        response = await client.post(HANDOFF, content=body, headers=signed_headers(body))

    assert assert_ok(response)["created"] is True


async def test_signature_over_pretty_printed_body_is_accepted(service):
    body = (
        b'{\n  "note": "Category: WiFi\\nReason: Other\\nSummary: Pretty body\\nConfidence: 0.5"\n}'
    )
    async with service.client() as client:
        response = await client.post(HANDOFF, content=body, headers=signed_headers(body))

    assert_ok(response)


async def test_replayed_signature_is_refused(service):
    body = compact({"note": note(), "oaKey": unique()})
    headers = signed_headers(body)
    async with service.client() as client:
        first = await client.post(HANDOFF, content=body, headers=headers)
        replay = await client.post(HANDOFF, content=body, headers=headers)

    assert_ok(first)
    body_json = assert_error(replay, 403, "REPLAY_DETECTED")
    assert "replay" in body_json["message"].lower()


async def test_concurrent_replays_let_exactly_one_through(service):
    body = compact({"note": note(), "oaKey": unique()})
    headers = signed_headers(body)
    async with service.client() as client:
        answers = await asyncio.gather(
            *(client.post(HANDOFF, content=body, headers=headers) for _ in range(8))
        )

    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [403] * 7
    for response in answers:
        if response.status_code == 403:
            assert_error(response, 403, "REPLAY_DETECTED")


async def test_bad_signature_is_refused(service):
    body = compact({"note": note()})
    good = signed_headers(body)
    wrong_secret = signed_headers(body, secret="not-the-secret")
    tampered = compact({"note": note("Tampered summary")})
    no_prefix = {**good, "x-signature": good["x-signature"].removeprefix("sha256=")}
    async with service.client() as client:
        answers = [
            await client.post(HANDOFF, content=body, headers=wrong_secret),
            await client.post(HANDOFF, content=tampered, headers=good),
            await client.post(HANDOFF, content=body, headers=no_prefix),
            await client.post(HANDOFF, content=body, headers={**good, "x-signature": "sha256=zz"}),
        ]

    for response in answers:
        assert_error(response, 403, "AUTH_FAILED")


async def test_expired_or_future_timestamp_is_refused(service):
    body = compact({"note": note()})
    now_ms = int(time.time() * 1000)
    async with service.client() as client:
        old = await client.post(
            HANDOFF, content=body, headers=signed_headers(body, timestamp_ms=now_ms - 6 * 60_000)
        )
        future = await client.post(
            HANDOFF, content=body, headers=signed_headers(body, timestamp_ms=now_ms + 6 * 60_000)
        )
        seconds = await client.post(
            HANDOFF, content=body, headers=signed_headers(body, timestamp_ms=now_ms // 1000)
        )
        within = await client.post(
            HANDOFF, content=body, headers=signed_headers(body, timestamp_ms=now_ms - 4 * 60_000)
        )

    for response in (old, future, seconds):
        body_json = assert_error(response, 403, "AUTH_FAILED")
        assert "timestamp" in body_json["message"].lower()
    assert_ok(within)


async def test_signature_without_timestamp_is_refused(service):
    body = compact({"note": note()})
    headers = signed_headers(body)
    del headers["x-timestamp"]
    async with service.client() as client:
        response = await client.post(HANDOFF, content=body, headers=headers)

    assert_error(response, 403, "AUTH_FAILED")


async def test_token_only_service_refuses_signatures():
    token_only = InProcessService({"WEBHOOK_SECRET": ""})
    body = compact({"note": note()})
    async with token_only.client() as client:
        signed = await client.post(HANDOFF, content=body, headers=signed_headers(body))
        with_token = await handoff(client, {"note": note()})

    assert_error(signed, 403, "AUTH_FAILED")
    assert_ok(with_token)
