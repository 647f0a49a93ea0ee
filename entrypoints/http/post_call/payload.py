"""ElevenLabs' post-call payloads as the bridge reads them, and the route's answers.

Only the fields the note uses are declared; every other field - and ElevenLabs keeps adding
them - is ignored, and nearly every declared one may be absent or null, so a payload of a newer
shape still decodes. Decoding errors name the field and the expected type, never the value
(which may be transcript text).
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from application.use_cases.call_record_note import CallRecord, CallTurn
from application.use_cases.record_call import CallRecordOutcome, CallRecordResult
from domain.errors import FORM_ERRORS, InvalidInput
from entrypoints.wire.bodies import Wire

TRANSCRIPTION = "post_call_transcription"
AUDIO = "post_call_audio"
INITIATION_FAILURE = "call_initiation_failure"
MAX_TURNS = 10_000


class _ToolCall(msgspec.Struct, frozen=True):
    tool_name: str | None = None


class _Turn(msgspec.Struct, frozen=True):
    role: str | None = None
    message: str | None = None
    time_in_call_secs: float | None = None
    tool_calls: list[_ToolCall] | None = None


class _Metadata(msgspec.Struct, frozen=True):
    call_duration_secs: float | None = None


class _Analysis(msgspec.Struct, frozen=True):
    transcript_summary: str | None = None
    call_successful: str | None = None
    call_summary_title: str | None = None


class _Data(msgspec.Struct, frozen=True):
    conversation_id: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    transcript: Annotated[list[_Turn], msgspec.Meta(max_length=MAX_TURNS)] | None = None
    metadata: _Metadata | None = None
    analysis: _Analysis | None = None


class _Transcription(msgspec.Struct, frozen=True):
    type: str
    data: _Data


_decode_transcription = msgspec.json.Decoder(_Transcription).decode


def transcription_record(body: bytes) -> CallRecord:
    """A ``post_call_transcription`` body as the use case's ``CallRecord``; ``InvalidInput``
    naming the bad field (never its value) otherwise."""
    try:
        event = _decode_transcription(body)
    except msgspec.ValidationError as error:
        raise InvalidInput({FORM_ERRORS: [str(error)]}) from None
    except msgspec.DecodeError:
        raise InvalidInput({FORM_ERRORS: ["Malformed JSON body"]}) from None
    data = event.data
    analysis = data.analysis or _Analysis()
    turns = tuple(
        CallTurn(
            role=turn.role or "unknown",
            message=turn.message,
            time_in_call_secs=turn.time_in_call_secs,
            tool_names=tuple(call.tool_name for call in turn.tool_calls or () if call.tool_name),
        )
        for turn in data.transcript or ()
    )
    return CallRecord(
        event_type=event.type,
        conversation_id=data.conversation_id,
        title=analysis.call_summary_title,
        summary=analysis.transcript_summary,
        outcome=analysis.call_successful,
        duration_secs=(data.metadata or _Metadata()).call_duration_secs,
        turns=turns,
    )


class PostCallAnswer(Wire, frozen=True, omit_defaults=True, kw_only=True):
    """``{"status":"ok"|"ignored","event",...}``: what became of the event."""

    status: str
    event: str | None = None
    conversation_id: str | None = None
    outcome: str | None = None
    ticket_id: str | None = None
    reason: str | None = None


def recorded_answer(event: str, result: CallRecordResult) -> PostCallAnswer:
    ignored = result.outcome is CallRecordOutcome.IGNORED
    return PostCallAnswer(
        status="ignored" if ignored else "ok",
        event=event,
        conversation_id=result.conversation_id,
        outcome=result.outcome.value,
        ticket_id=result.ticket_id,
        reason=result.reason,
    )
