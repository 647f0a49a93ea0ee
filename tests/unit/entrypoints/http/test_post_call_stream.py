"""The post-call body as it streams in: the ``ElevenLabs-Signature`` checked over every byte, the
top-level ``type`` found wherever it stands and however the body is cut into chunks, and no more
than the limit ever held."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.clock import ManualClock
from entrypoints.asgi.envelope import HttpError
from entrypoints.asgi.requests import ClientDisconnected, Message
from entrypoints.config.reload import Holder
from entrypoints.http.post_call.body import TopLevelType, read_streamed
from entrypoints.http.post_call.signature import PostCallSignature, parse_signature_header, sign

SECRET = "wsec_unit"
NOW = 1_796_100_000


def verifier_for(body: bytes, secret: str = SECRET, at: int = NOW) -> Any:
    return PostCallSignature(Holder((SECRET,)), ManualClock(NOW)).start(sign(secret, at, body))


def receiver(chunks: list[bytes], disconnect: bool = False) -> Any:
    messages: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    if disconnect:
        messages[-1] = {"type": "http.disconnect"}

    async def receive() -> Message:
        return messages.pop(0)

    return receive


def test_the_signature_of_the_body_matches_and_any_other_does_not() -> None:
    body = b'{"type": "post_call_transcription"}'
    good = verifier_for(body)
    good.update(body)
    assert good.matches()
    earlier = sign(SECRET, NOW - 1, body).replace(f"t={NOW - 1}", f"t={NOW}")  # moved in time
    check = PostCallSignature(Holder((SECRET,)), ManualClock(NOW))
    for wrong in (verifier_for(body, secret="other"), check.start(earlier)):
        wrong.update(body)
        assert not wrong.matches()
    changed = verifier_for(body)
    changed.update(body + b" ")
    assert not changed.matches()


def test_any_of_several_v0_signatures_may_match() -> None:
    body = b"{}"
    rotated = f"t={NOW},v0={'0' * 64},{sign(SECRET, NOW, body).split(',')[1]}"
    verifier = PostCallSignature(Holder((SECRET,)), ManualClock(NOW)).start(rotated)
    verifier.update(body)
    assert verifier.matches()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        f"t={NOW}",
        "v0=" + "a" * 64,
        f"t={NOW},v0=" + "a" * 63,
        f"t={NOW},v0=" + "g" * 64,
        "t=-5,v0=" + "a" * 64,
        "t=1e9,v0=" + "a" * 64,
        "t=١٢٣,v0=" + "a" * 64,
        "sha256=" + "a" * 64,
    ],
)
def test_a_malformed_header_is_refused_before_the_body_is_read(header: str | None) -> None:
    with pytest.raises(HttpError) as refused:
        PostCallSignature(Holder((SECRET,)), ManualClock(NOW)).start(header)
    assert refused.value.code == "AUTH_REQUIRED"


@pytest.mark.parametrize(("offset", "accepted"), [(-1800, True), (-1801, False), (1801, False)])
def test_the_timestamp_may_be_up_to_30_minutes_old(offset: int, accepted: bool) -> None:
    check = PostCallSignature(Holder((SECRET,)), ManualClock(NOW))
    header = sign(SECRET, NOW + offset, b"{}")
    if accepted:
        assert parse_signature_header(header).timestamp == str(NOW + offset)
        check.start(header)
    else:
        with pytest.raises(HttpError):
            check.start(header)


KEYS = st.sampled_from(["type", "data", "tÿpe", 'x"y', "a\\b"]) | st.text(max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "data", "tÿpe", 'x"y', "a\\b"]) | st.text(), inner, max_size=4
        )
    ),
    max_leaves=20,
)


@given(
    document=st.dictionaries(KEYS, json_values, max_size=6),
    event_type=st.none() | st.text(max_size=40) | st.integers(),
    position=st.integers(min_value=0, max_value=6),
    ascii_only=st.booleans(),
    cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=30),
)
def test_the_top_level_type_is_found_wherever_it_stands_and_however_it_is_cut(
    document: dict[str, Any],
    event_type: str | int | None,
    position: int,
    ascii_only: bool,
    cuts: list[int],
) -> None:
    document.pop("type", None)
    items = list(document.items())
    if event_type is not None:
        items.insert(min(position, len(items)), ("type", event_type))
    body = json.dumps(dict(items), ensure_ascii=ascii_only).encode()
    scanner = TopLevelType()
    at = 0
    for cut in [*cuts, len(body)]:
        scanner.feed(body[at : at + cut])
        at += cut
    scanner.feed(body[at:])
    expected = json.loads(body).get("type")
    assert scanner.value == (expected if isinstance(expected, str) else None)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (b'{"\\u0074ype": "post_call_audio"}', "post_call_audio"),
        (b'{"data": {"type": "webhook"}, "type": "post_call_\\u0061udio"}', "post_call_audio"),
        (b'{"type": "' + b"x" * 300 + b'"}', None),  # no type is that long
        (b'{"type": ["post_call_audio"]}', None),
    ],
)
def test_escapes_nesting_and_length(body: bytes, found: str | None) -> None:
    scanner = TopLevelType()
    scanner.feed(body)
    assert scanner.value == found


@pytest.mark.parametrize("body", [b"[]", b'"type"', b"17", b""])
def test_a_body_that_is_not_an_object_has_no_type(body: bytes) -> None:
    scanner = TopLevelType()
    scanner.feed(body)
    assert scanner.value is None


async def test_a_large_body_is_hashed_whole_but_never_held_past_the_limit() -> None:
    block = b"A" * 65_536
    chunks = [b'{"type": "post_call_audio", "data": {"full_audio": "', *[block] * 320, b'"}}']
    body = b"".join(chunks)  # 20 MiB: only to sign it here
    verifier = verifier_for(body)
    read = await read_streamed(receiver(chunks), verifier, keep_limit=1 << 20, ceiling=1 << 30)
    assert (read.kept, read.size, read.event_type) == (None, len(body), "post_call_audio")
    assert read.peak_kept <= 1 << 20
    assert verifier.matches()


async def test_a_body_within_the_limit_is_kept_whole() -> None:
    chunks = [b'{"data": {"conversation_id": "c"}, ', b'"type": "post_call_transcription"}']
    verifier = verifier_for(b"".join(chunks))
    read = await read_streamed(receiver(chunks), verifier, keep_limit=1024, ceiling=4096)
    assert read.kept == b"".join(chunks)
    assert read.event_type == "post_call_transcription"
    assert verifier.matches()


async def test_reading_stops_past_the_ceiling_and_on_a_disconnect() -> None:
    chunks = [b"x" * 1000] * 10
    verifier = verifier_for(b"")
    read = await read_streamed(receiver(chunks), verifier, keep_limit=100, ceiling=5000)
    assert read.beyond_ceiling
    assert read.size <= 6000
    with pytest.raises(ClientDisconnected):
        await read_streamed(receiver(chunks, disconnect=True), verifier, 100, 50_000)


def test_sign_is_the_documented_scheme() -> None:
    """``hex(HMAC-SHA256(secret, f"{t}.{body}"))``, spelled out once more independently."""
    import hashlib
    import hmac

    when = int(time.time())
    expected = hmac.new(b"k", f"{when}.{{}}".encode(), hashlib.sha256).hexdigest()
    assert sign("k", when, b"{}") == f"t={when},v0={expected}"
