"""The ElevenLabs post-call webhook on a real ``helpdesk-bridge serve`` over real HTTP: the shared
example recorded on the hand-off's ticket once, a 20 MiB audio event streamed in chunks and
answered 200, and no summary or transcript text in the process's logs."""

from __future__ import annotations

import pytest

from tests.support.e2e.processes import ServiceFactory, ServiceProcess
from tests.support.e2e.requests import handoff, note
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

pytestmark = pytest.mark.e2e
MIB = 1024 * 1024


@pytest.fixture
def service(service_factory: ServiceFactory) -> ServiceProcess:
    return service_factory(
        {"ELEVENLABS_WEBHOOK_SECRET": SECRET, "POST_CALL_MAX_BODY_BYTES": str(MIB)}
    )


async def test_a_signed_transcription_is_recorded_once_and_audio_is_answered_200(
    service: ServiceProcess,
) -> None:
    sample = example()
    body = encoded(transcription())
    parts = audio_parts(sample.conversation, 20 * MIB)
    async with service.client() as client:
        filed = await handoff(client, {"note": note("WiFi drops"), "oaKey": sample.conversation})
        recorded = await client.post(POST_CALL, content=body, headers=signature_headers(body))
        retried = await client.post(POST_CALL, content=body, headers=signature_headers(body))
        audio = await client.post(
            POST_CALL, content=streamed(parts), headers=streamed_signature_headers(parts)
        )

    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["outcome"] == "appended"
    assert recorded.json()["ticketId"] == filed.json()["ticketId"]
    assert (retried.json(), retried.headers["idempotent-replayed"]) == (recorded.json(), "true")
    assert audio.status_code == 200, audio.text
    assert audio.json() == {
        "status": "ignored",
        "event": "post_call_audio",
        "reason": "not_recorded",
    }

    records = service.log_records()
    assert [r["call_outcome"] for r in records if r["event"] == "post_call.recorded"] == [
        "appended",
        "appended",
    ]
    stderr = service.stderr_text()
    for text in (sample.summary, sample.title, *sample.messages):
        assert text not in stderr
