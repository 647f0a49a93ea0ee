"""The post-call webhook's other events and limits, in process: audio (megabytes, streamed) and
initiation failures are answered 200 without being held; a transcription larger than its limit is
413; a hand-off still queued gets the note on delivery, exactly once; the route is 404 until its
secret is configured."""

from __future__ import annotations

import json
import time

import pytest

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from entrypoints.workers.delivery import DeliveryWorker
from tests.support.e2e.requests import assert_error, handoff, note, unique
from tests.support.inprocess import InProcessService, on_clock
from tests.support.post_call_samples import (
    POST_CALL,
    SECRET,
    audio_parts,
    encoded,
    example,
    signature_headers,
    streamed,
    streamed_signature_headers,
    transcription,
)

ENV = {"ELEVENLABS_WEBHOOK_SECRET": SECRET, "RATE_LIMIT_PER_SECOND": "100000"}
MIB = 1024 * 1024


@pytest.mark.parametrize("type_last", [False, True], ids=["type first", "type after data"])
async def test_a_large_audio_event_is_answered_200_without_being_held(type_last: bool) -> None:
    service = InProcessService({**ENV, "POST_CALL_MAX_BODY_BYTES": str(MIB)})
    parts = audio_parts(unique("conv"), 20 * MIB, type_last=type_last)
    headers = streamed_signature_headers(parts)
    async with service.client() as client:
        response = await client.post(POST_CALL, content=streamed(parts), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ignored",
        "event": "post_call_audio",
        "reason": "not_recorded",
    }


async def test_an_audio_event_with_a_bad_signature_is_401_all_the_same() -> None:
    service = InProcessService(ENV)
    parts = audio_parts(unique("conv"), 2 * MIB)
    headers = streamed_signature_headers(parts, secret="another-secret")
    async with service.client() as client:
        response = await client.post(POST_CALL, content=streamed(parts), headers=headers)
    assert_error(response, 401, "AUTH_REQUIRED")


async def test_an_initiation_failure_and_an_unknown_event_are_answered_200() -> None:
    service = InProcessService(ENV)
    failure = {
        "type": "call_initiation_failure",
        "event_timestamp": 1796100000,
        "data": {"agent_id": "agent_x", "conversation_id": "conv_x", "failure_reason": "busy"},
    }
    later = {"data": {"conversation_id": "conv_x"}, "type": "post_call_sentiment"}
    async with service.client() as client:
        answers = [
            await client.post(POST_CALL, content=body, headers=signature_headers(body))
            for body in (json.dumps(failure).encode(), json.dumps(later).encode())
        ]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json()["event"] for answer in answers] == [
        "call_initiation_failure",
        "post_call_sentiment",
    ]
    assert {answer.json()["status"] for answer in answers} == {"ignored"}


async def test_a_transcription_over_its_limit_is_413_and_one_within_is_read() -> None:
    service = InProcessService({**ENV, "POST_CALL_MAX_BODY_BYTES": "65536"})
    event = transcription(unique("conv"))
    turn = event["data"]["transcript"][1]
    event["data"]["transcript"] += [dict(turn, message="x" * 1000) for _ in range(70)]
    large = encoded(event)
    event["data"]["transcript"] = event["data"]["transcript"][:40]
    fits = encoded(event)
    assert len(fits) < 65536 < len(large)
    async with service.client() as client:
        refused = await client.post(POST_CALL, content=large, headers=signature_headers(large))
        read = await client.post(POST_CALL, content=fits, headers=signature_headers(fits))
    body = assert_error(refused, 413, "PAYLOAD_TOO_LARGE")
    assert "POST_CALL_MAX_BODY_BYTES" in body["message"]
    assert (read.status_code, read.json()["reason"]) == (200, "no_ticket")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"type": "post_call_transcription", "data": ', "_errors"),
        (b'{"type": "post_call_transcription", "data": {"conversation_id": 7}}', "_errors"),
        (b'{"data": {"conversation_id": "conv_x"}}', "_errors"),
        (b"[1, 2]", "_errors"),
    ],
    ids=["malformed", "conversation id not text", "no type", "not an object"],
)
async def test_a_signed_body_that_is_not_a_transcription_is_400(body: bytes, field: str) -> None:
    service = InProcessService(ENV)
    async with service.client() as client:
        response = await client.post(POST_CALL, content=body, headers=signature_headers(body))
    details = assert_error(response, 400, "VALIDATION_ERROR")["details"]
    assert field in details


async def test_without_a_secret_the_route_is_404_and_says_why() -> None:
    service = InProcessService({"RATE_LIMIT_PER_SECOND": "100000"})
    body = encoded(transcription())
    async with service.client() as client:
        response = await client.post(POST_CALL, content=body, headers=signature_headers(body))
        wrong_method = await client.get(POST_CALL)
    body_of = assert_error(response, 404, "NOT_FOUND", rate_headers=False)
    assert "ELEVENLABS_WEBHOOK_SECRET" in body_of["message"]
    assert_error(wrong_method, 405, "METHOD_NOT_ALLOWED", rate_headers=False)


async def test_the_route_is_rate_limited_per_address() -> None:
    service = InProcessService(
        {"ELEVENLABS_WEBHOOK_SECRET": SECRET, "RATE_LIMIT_PER_SECOND": "2"},
        on_clock(ManualClock(time.time())),  # signed now: the signature's age is checked
    )
    body = encoded(transcription(unique("conv")))
    async with service.client() as client:
        answers = [
            await client.post(POST_CALL, content=body, headers=signature_headers(body))
            for _ in range(3)
        ]
    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    assert_error(answers[2], 429, "RATE_LIMIT_EXCEEDED")


async def test_a_queued_hand_off_gets_the_note_on_delivery_exactly_once() -> None:
    service = InProcessService({**ENV, "MOCK_HELPDESK_HEALTHY": "false"})
    helpdesk = service.container.helpdesk()
    assert isinstance(helpdesk, MockHelpdesk)
    conversation = unique("conv")
    body = encoded(transcription(conversation))
    async with service.client() as client:
        queued = await handoff(client, {"note": note("WiFi drops"), "oaKey": conversation})
        reference = queued.json()["ticketId"]
        kept = await client.post(POST_CALL, content=body, headers=signature_headers(body))
        retried = await client.post(POST_CALL, content=body, headers=signature_headers(body))

        helpdesk.healthy = True
        worker = DeliveryWorker(
            service.container.outbox(),
            service.container.deliver_handoff().execute,
            service.container.clock(),
        )
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0
        after = await client.post(POST_CALL, content=body, headers=signature_headers(body))

    assert queued.status_code == 202
    assert kept.status_code == 200
    assert kept.json() == {
        "status": "ok",
        "event": "post_call_transcription",
        "conversationId": conversation,
        "outcome": "queued",
        "ticketId": reference,
    }
    assert retried.json() == kept.json()
    assert after.json() == kept.json()  # the event was recorded: a late retry adds nothing
    [ticket] = helpdesk.tickets.values()
    assert len(ticket.notes) == 1
    assert example().summary in ticket.notes[0][0]
    assert [attachment.filename for attachment in ticket.attachments] == [
        f"transcript-{conversation}.txt"
    ]
