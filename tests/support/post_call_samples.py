"""ElevenLabs post-call webhooks as ElevenLabs sends them: the shared example of a transcription,
variants of it, the other event types, and the ``ElevenLabs-Signature`` over a body.

The example (``example-post-call-transcription.json``) is kept beside the project in
``../shared/elevenlabs`` where CI has it, never copied in (``ELEVENLABS_POST_CALL_EXAMPLE``
points elsewhere). It is read when a test first asks for it (``example()``, ``transcription()``):
without it that test skips, except under CI, where it fails; the other tests of its module, and
every helper here that makes its own bodies (audio, signatures), run all the same.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from entrypoints.http.post_call.signature import sign
from tests.support.paths import required_shared_file, shared_file

POST_CALL = "/ingest/elevenlabs/post-call"
SECRET = "wsec_post-call-test-secret"
EXAMPLE_FILE = "elevenlabs/example-post-call-transcription.json"
EXAMPLE_OVERRIDE = "ELEVENLABS_POST_CALL_EXAMPLE"


@dataclass(frozen=True)
class Example:
    """ElevenLabs' example transcription event, and the texts of it a test looks for."""

    event: dict[str, Any]

    @property
    def conversation(self) -> str:
        return str(self.event["data"]["conversation_id"])

    @property
    def title(self) -> str:
        return str(self.event["data"]["analysis"]["call_summary_title"])

    @property
    def summary(self) -> str:
        return str(self.event["data"]["analysis"]["transcript_summary"])

    @property
    def messages(self) -> list[str]:
        return [str(turn["message"]) for turn in self.event["data"]["transcript"]]


def example_path() -> Path | None:
    """ElevenLabs' post-call example (``shared/elevenlabs/...``, or
    ``ELEVENLABS_POST_CALL_EXAMPLE``)."""
    return shared_file(EXAMPLE_FILE, EXAMPLE_OVERRIDE)


@cache
def _loaded(path: Path) -> Example:
    return Example(json.loads(path.read_text(encoding="utf-8")))


def example() -> Example:
    """The shared example, or the calling test skips (fails under CI) without it."""
    what = "ElevenLabs' post-call example"
    return _loaded(required_shared_file(EXAMPLE_FILE, EXAMPLE_OVERRIDE, what))


def transcription(conversation_id: str | None = None, **analysis: Any) -> dict[str, Any]:
    """The shared example (for another conversation, and other analysis fields, if given)."""
    event = copy.deepcopy(example().event)
    conversation_id = conversation_id or str(event["data"]["conversation_id"])
    event["data"]["conversation_id"] = conversation_id
    event["data"]["conversation_initiation_client_data"]["dynamic_variables"][
        "system__conversation_id"
    ] = conversation_id
    event["data"]["analysis"].update(analysis)
    return event


def encoded(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode()


def signature_headers(
    body: bytes, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """``ElevenLabs-Signature`` (and the content type) as ElevenLabs sends them."""
    when = int(time.time()) if timestamp is None else timestamp
    return {"ElevenLabs-Signature": sign(secret, when, body), "content-type": "application/json"}


def streamed_signature_headers(parts: list[bytes], secret: str = SECRET) -> dict[str, str]:
    """The signature of a body sent in ``parts``, computed without joining them."""
    when = int(time.time())
    mac = hmac.new(secret.encode(), f"{when}.".encode(), hashlib.sha256)
    for part in parts:
        mac.update(part)
    return {"ElevenLabs-Signature": f"t={when},v0={mac.hexdigest()}"}


def audio_parts(conversation_id: str, audio_bytes: int, *, type_last: bool = False) -> list[bytes]:
    """A ``post_call_audio`` body in pieces (the audio is base64 text of ``audio_bytes``
    characters, made of the same block so it costs no memory to describe)."""
    head = {"agent_id": "agent_x", "conversation_id": conversation_id}
    prefix = json.dumps(head)[:-1].encode() + b', "full_audio": "'
    block = b"SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4Ljc2LjEwMAAAAAAAAAAAAAAA" * 1024  # 60 KiB
    blocks, rest = divmod(audio_bytes, len(block))
    event_type = b'"type": "post_call_audio"'
    start = b"{" + (b"" if type_last else event_type + b", ") + b'"event_timestamp": 1796100000'
    end = b'"}' + (b", " + event_type if type_last else b"") + b"}"
    return [start + b', "data": ' + prefix, *([block] * blocks), block[:rest], end]


async def streamed(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
