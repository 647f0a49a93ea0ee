"""ElevenLabs' post-call summary on every helpdesk backend (the ``helpdesk`` fixture: the mock, the
Zendesk fake checked against Zendesk's OpenAPI description, a real Request Tracker): the service
in process, its helpdesk the backend under test, receives the shared example signed as ElevenLabs
signs it - and the ticket the hand-off filed shows exactly one internal note with the summary and
the transcript, the whole transcript as a file on it; a retried event adds nothing."""

from __future__ import annotations

from dependency_injector import providers

from tests.support.e2e.requests import handoff, note
from tests.support.helpdesk.harness import Harness, ZendeskHarness
from tests.support.helpdesk.zendesk_fake import FakeZendesk
from tests.support.inprocess import InProcessService
from tests.support.post_call_samples import (
    POST_CALL,
    SECRET,
    encoded,
    example,
    signature_headers,
    transcription,
)

ENV = {"ELEVENLABS_WEBHOOK_SECRET": SECRET, "RATE_LIMIT_PER_SECOND": "100000"}


def service_on(gateway: object) -> InProcessService:
    return InProcessService(ENV, {"helpdesk": providers.Object(gateway)})


async def test_a_signed_call_summary_is_one_internal_note_with_its_transcript(
    helpdesk: Harness, unique: str
) -> None:
    conversation = f"conv_{unique}"
    body = encoded(transcription(conversation))
    async with service_on(helpdesk.gateway).client() as client:
        filed = await handoff(client, {"note": note("WiFi drops"), "oaKey": conversation})
        first = await client.post(POST_CALL, content=body, headers=signature_headers(body))
        retried = await client.post(POST_CALL, content=body, headers=signature_headers(body))

    assert filed.status_code == 200, filed.text
    ticket_id = filed.json()["ticketId"]
    assert first.status_code == 200, first.text
    assert (first.json()["outcome"], first.json()["ticketId"]) == ("appended", ticket_id)
    assert (retried.json(), retried.headers["idempotent-replayed"]) == (first.json(), "true")

    sample = example()
    [text] = await helpdesk.notes(ticket_id)
    for shown in (
        f"Call summary (ElevenLabs): {sample.title}",
        sample.summary,
        "Outcome: success",
        "Duration: 2 min 12 s",
        f"[0:00] Agent: {sample.messages[0]}",
        f"[0:04] Caller: {sample.messages[1]}",
        f"[1:35] Agent: {sample.messages[2]} (tools: handoff_to_human)",
    ):
        assert shown in text
    [(name, mime, data)] = await helpdesk.attachments(ticket_id)
    assert (name, mime) == (f"transcript-{conversation}.txt", "text/plain")
    assert all(message in data.decode() for message in sample.messages)


async def test_a_bridge_that_forgot_the_ticket_finds_it_at_the_helpdesk(
    helpdesk: Harness, unique: str
) -> None:
    conversation = f"conv_{unique}"
    body = encoded(transcription(conversation))
    async with service_on(helpdesk.gateway).client() as client:
        filed = await handoff(client, {"note": note("WiFi drops"), "oaKey": conversation})
    ticket_id = filed.json()["ticketId"]
    async with service_on(helpdesk.fresh_gateway()).client() as client:  # restarted: no index
        recorded = await client.post(POST_CALL, content=body, headers=signature_headers(body))
    assert (recorded.json()["outcome"], recorded.json()["ticketId"]) == ("appended", ticket_id)
    assert len(await helpdesk.notes(ticket_id)) == 1


async def test_a_conversation_the_helpdesk_has_no_ticket_for_is_ignored(
    helpdesk: Harness, unique: str
) -> None:
    body = encoded(transcription(f"conv_{unique}"))
    async with service_on(helpdesk.gateway).client() as client:
        response = await client.post(POST_CALL, content=body, headers=signature_headers(body))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("ignored", "no_ticket")


async def closed_then_recorded(helpdesk: Harness, unique: str) -> tuple[dict[str, str], int]:
    """A hand-off filed, its ticket closed for good, then the call's summary: the answer and
    how many notes the ticket took."""
    conversation = f"conv_{unique}"
    body = encoded(transcription(conversation))
    async with service_on(helpdesk.gateway).client() as client:
        filed = await handoff(client, {"note": note("WiFi drops"), "oaKey": conversation})
        await helpdesk.close_for_good(filed.json()["ticketId"])
        response = await client.post(POST_CALL, content=body, headers=signature_headers(body))
    assert response.status_code == 200, response.text
    return response.json(), len(await helpdesk.notes(filed.json()["ticketId"]))


async def test_a_ticket_closed_for_good_gets_the_note_or_the_answer_says_why_not(
    helpdesk: Harness, unique: str
) -> None:
    answer, taken = await closed_then_recorded(helpdesk, unique)
    assert (answer["outcome"], answer.get("reason"), taken) in {
        ("appended", None, 1),  # RT and the mock take notes on a rejected or closed ticket
        ("ignored", "ticket_closed", 0),  # Zendesk refuses them (below)
    }


async def test_zendesk_refuses_notes_on_a_closed_ticket_and_the_event_is_ignored(
    fake_zendesk: FakeZendesk, unique: str
) -> None:
    """200, not the 502 of the refusal: ElevenLabs would retry in vain and count failures."""
    zendesk = ZendeskHarness(fake_zendesk)
    try:
        answer, taken = await closed_then_recorded(zendesk, unique)
    finally:
        await zendesk.aclose()
    assert (answer["status"], answer["reason"], taken) == ("ignored", "ticket_closed", 0)
