"""The OpenAPI path of ElevenLabs' post-call webhook: signed by ElevenLabs (not our token), a
finished call's summary and transcript recorded once on its hand-off's ticket, every other
event answered 200 without being held."""

from __future__ import annotations

from typing import Any

from entrypoints.config.settings import Settings
from entrypoints.http.openapi.parts import errors_for, json_content, rate_headers, ref

SIGNATURE_SCHEME = {
    "elevenLabsSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "ElevenLabs-Signature",
        "description": "t=<unix seconds>,v0=<hex HMAC-SHA256(ELEVENLABS_WEBHOOK_SECRET, "
        '"<t>.<raw body>")>; the timestamp within 30 minutes of the server\'s.',
    }
}


def post_call_paths(settings: Settings) -> dict[str, Any]:
    mib = settings.post_call_max_body_bytes / 1_048_576
    return {
        "/ingest/elevenlabs/post-call": {
            "post": {
                "operationId": "elevenLabsPostCall",
                "summary": "A finished call's summary and transcript, as one internal note on "
                "the ticket its hand-off filed",
                "description": "post_call_transcription: found by data.conversation_id (the "
                "hand-off's oaKey) and appended once per conversation and event type (a "
                "retried event appends nothing); a hand-off still queued gets it on delivery. "
                "post_call_audio, call_initiation_failure and any other type: 200 ignored, "
                "whatever the size (streamed, never held). A transcription larger than "
                f"{mib:g} MiB (POST_CALL_MAX_BODY_BYTES): 413. Without "
                "ELEVENLABS_WEBHOOK_SECRET: 404.",
                "security": [{"elevenLabsSignature": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": {
                        **json_content(
                            ref("PostCallAnswer"),
                            "status ok (outcome appended, or queued: kept with the queued "
                            "hand-off) or ignored (reason no_ticket, ticket_gone, "
                            "ticket_closed; not_recorded for any other event type)",
                        ),
                        "headers": rate_headers(),
                    },
                    **errors_for(
                        [
                            "VALIDATION_ERROR",
                            "AUTH_REQUIRED",
                            "NOT_FOUND",
                            "PAYLOAD_TOO_LARGE",
                            "METHOD_NOT_ALLOWED",
                            "RATE_LIMIT_EXCEEDED",
                            "INTERNAL_ERROR",
                            "HELPDESK_BAD_RESPONSE",
                            "HELPDESK_UNAVAILABLE",
                            "STORE_UNAVAILABLE",
                        ]
                    ),
                },
            }
        }
    }
