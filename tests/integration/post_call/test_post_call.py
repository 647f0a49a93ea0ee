"""The ElevenLabs post-call webhook in process, on the mock helpdesk: a signed transcription of the
documented shape (the shared example) becomes exactly one internal note with the summary and
the transcript on the ticket the call's hand-off filed; a retry - after the first, or while it
runs - adds nothing; a failure leaves the retry to succeed; a bad or stale signature is 401."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import pytest
from dependency_injector import providers

from adapters.helpdesk.mock import MockHelpdesk, MockTicketRecord
from tests.support.e2e.requests import assert_error, handoff, note, unique
from tests.support.inprocess import InProcessService
from tests.support.log_capture import emitted_lines, events
from tests.support.post_call_samples import (
    POST_CALL,
    SECRET,
    encoded,
    example,
    signature_headers,
    transcription,
)

ENV = {"ELEVENLABS_WEBHOOK_SECRET": SECRET, "RATE_LIMIT_PER_SECOND": "100000"}


@pytest.fixture
def service() -> InProcessService:
    return InProcessService(ENV)


def mock(service: InProcessService) -> MockHelpdesk:
    helpdesk = service.container.helpdesk()
    assert isinstance(helpdesk, MockHelpdesk)
    return helpdesk


async def file_hand_off(client: httpx.AsyncClient, conversation: str) -> str:
    response = await handoff(client, {"note": note("WiFi drops"), "oaKey": conversation})
    assert response.status_code == 200, response.text
    ticket_id: str = response.json()["ticketId"]
    return ticket_id


async def post(
    client: httpx.AsyncClient, body: bytes, timestamp: int | None = None
) -> httpx.Response:
    headers = signature_headers(body, timestamp=timestamp)
    return await client.post(POST_CALL, content=body, headers=headers)


def record(service: InProcessService, ticket_id: str) -> MockTicketRecord:
    return mock(service).tickets[ticket_id]


async def test_the_shared_example_appends_one_note_with_summary_and_transcript(
    service: InProcessService,
) -> None:
    sample = example()
    async with service.client() as client:
        ticket_id = await file_hand_off(client, sample.conversation)
        response = await post(client, encoded(transcription()))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ok",
        "event": "post_call_transcription",
        "conversationId": sample.conversation,
        "outcome": "appended",
        "ticketId": ticket_id,
    }
    assert "ratelimit-limit" in response.headers
    ticket = record(service, ticket_id)
    assert len(ticket.notes) == 1
    text, author = ticket.notes[0]
    assert author == "ElevenLabs post-call webhook"
    assert f"Call summary (ElevenLabs): {sample.title}" in text
    assert sample.summary in text
    assert "Outcome: success" in text
    assert "Duration: 2 min 12 s" in text
    assert f"[0:00] Agent: {sample.messages[0]}" in text
    assert f"[0:04] Caller: {sample.messages[1]}" in text
    assert f"[1:35] Agent: {sample.messages[2]} (tools: handoff_to_human)" in text
    [attachment] = ticket.attachments
    assert attachment.filename == f"transcript-{sample.conversation}.txt"
    assert attachment.content_type.startswith("text/plain")
    assert all(message in attachment.data.decode() for message in sample.messages)


async def test_a_retried_event_appends_nothing_and_answers_as_the_first(
    service: InProcessService,
) -> None:
    body = encoded(transcription())
    async with service.client() as client:
        ticket_id = await file_hand_off(client, example().conversation)
        first = await post(client, body)
        retried = await post(client, body, timestamp=int(time.time()) - 60)  # signed anew

    assert retried.status_code == 200
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(record(service, ticket_id).notes) == 1


async def test_retries_racing_the_first_append_one_note() -> None:
    service = InProcessService({**ENV, "MOCK_HELPDESK_LATENCY_MS": "50"})
    body = encoded(transcription())
    async with service.client() as client:
        ticket_id = await file_hand_off(client, example().conversation)
        answers = await asyncio.gather(*(post(client, body) for _ in range(5)))

    assert [answer.status_code for answer in answers] == [200] * 5
    assert {answer.json()["ticketId"] for answer in answers} == {ticket_id}
    assert len(record(service, ticket_id).notes) == 1


async def test_a_failure_while_appending_lets_the_retry_succeed(service: InProcessService) -> None:
    body = encoded(transcription())
    async with service.client() as client:
        ticket_id = await file_hand_off(client, example().conversation)
        mock(service).healthy = False
        failed = await post(client, body)
        mock(service).healthy = True
        retried = await post(client, body)

    assert_error(failed, 503, "HELPDESK_UNAVAILABLE")
    assert retried.status_code == 200
    assert retried.json()["outcome"] == "appended"
    assert len(record(service, ticket_id).notes) == 1


async def test_a_conversation_without_a_ticket_is_ignored(service: InProcessService) -> None:
    async with service.client() as client:
        response = await post(client, encoded(transcription("conv_never_handed_off")))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ignored",
        "event": "post_call_transcription",
        "conversationId": "conv_never_handed_off",
        "outcome": "ignored",
        "reason": "no_ticket",
    }


async def test_the_helpdesk_look_up_finds_the_ticket_when_the_index_forgot_it() -> None:
    first = InProcessService(ENV)
    conversation = unique("conv")
    async with first.client() as client:
        ticket_id = await file_hand_off(client, conversation)
    # A restart: the index is empty, the helpdesk still has the ticket.
    second = InProcessService(ENV, {"helpdesk": providers.Object(first.container.helpdesk())})
    async with second.client() as client:
        response = await post(client, encoded(transcription(conversation)))
    assert (response.json()["outcome"], response.json()["ticketId"]) == ("appended", ticket_id)
    assert len(record(first, ticket_id).notes) == 1


def _stale(body: bytes) -> dict[str, str]:
    return signature_headers(body, timestamp=int(time.time()) - 31 * 60)


@pytest.mark.parametrize(
    "headers_for",
    [
        lambda body: {},
        lambda body: {"ElevenLabs-Signature": "sha256=abc"},
        lambda body: {"ElevenLabs-Signature": f"t={int(time.time())}"},
        lambda body: signature_headers(body, secret="another-secret"),
        lambda body: signature_headers(body + b" "),  # the body was changed after signing
        _stale,
        lambda body: signature_headers(body, timestamp=int(time.time()) + 31 * 60),
    ],
    ids=["missing", "malformed", "no v0", "wrong secret", "tampered", "stale", "future"],
)
async def test_a_bad_or_stale_signature_is_401_and_appends_nothing(
    service: InProcessService, headers_for: Callable[[bytes], dict[str, str]]
) -> None:
    body = encoded(transcription())
    async with service.client() as client:
        ticket_id = await file_hand_off(client, example().conversation)
        response = await client.post(POST_CALL, content=body, headers=headers_for(body))
    assert_error(response, 401, "AUTH_REQUIRED")
    assert record(service, ticket_id).notes == []


async def test_the_logs_name_the_event_and_never_its_text(service: InProcessService) -> None:
    with emitted_lines() as buffer:
        async with service.client() as client:
            ticket_id = await file_hand_off(client, example().conversation)
            await post(client, encoded(transcription()))
    [line] = events(buffer, "post_call.recorded")
    assert (line["conversation_id"], line["ticket_id"]) == (example().conversation, ticket_id)
    assert line["call_outcome"] == "appended"
    written = buffer.getvalue()
    for text in (example().summary, example().title, *example().messages):
        assert text not in written
