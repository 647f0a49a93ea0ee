"""The note a finished call becomes: its parts, its bounds whatever the call, and the whole
transcript in the attachment."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.use_cases.call_record_note import (
    SUMMARY_CHARS,
    TITLE_CHARS,
    TRANSCRIPT_CHARS,
    CallRecord,
    CallTurn,
    clock_text,
    duration_text,
    render_call_note,
    transcript_filename,
)

HEADER_CHARS = 400  # the fixed lines: outcome, duration, conversation, headings
TURNS_HEADING = re.compile(r"^Transcript \(\d+ turns?\):$")
MAX_NOTE_CHARS = HEADER_CHARS + TITLE_CHARS + SUMMARY_CHARS + TRANSCRIPT_CHARS + 200


def call(*turns: CallTurn, **fields: object) -> CallRecord:
    defaults: dict[str, object] = {
        "event_type": "post_call_transcription",
        "conversation_id": "conv_1",
        "title": "WiFi drops",
        "summary": "The caller's WiFi drops.",
        "outcome": "success",
        "duration_secs": 132,
    }
    return CallRecord(turns=turns, **{**defaults, **fields})  # type: ignore[arg-type]


def test_the_note_lists_summary_outcome_duration_and_each_turn() -> None:
    note = render_call_note(
        call(
            CallTurn(role="agent", message="Hi, how can I help?", time_in_call_secs=0),
            CallTurn(role="user", message="My\nWiFi drops.", time_in_call_secs=4.7),
            CallTurn(role="agent", tool_names=("handoff_to_human",), time_in_call_secs=95),
        )
    )
    assert note.text.splitlines() == [
        "Call summary (ElevenLabs): WiFi drops",
        "Outcome: success",
        "Duration: 2 min 12 s",
        "Conversation: conv_1",
        "",
        "The caller's WiFi drops.",
        "",
        "Transcript (3 turns):",
        "[0:00] Agent: Hi, how can I help?",
        "[0:04] Caller: My WiFi drops.",
        "[1:35] Agent: (tools: handoff_to_human)",
    ]
    [attachment] = note.attachments
    assert attachment.filename == "transcript-conv_1.txt"
    assert attachment.data.decode().splitlines()[2:] == note.text.splitlines()[8:]


def test_absent_fields_say_so_and_a_call_without_turns_has_no_attachment() -> None:
    note = render_call_note(call(title=None, summary=" ", outcome=None, duration_secs=None))
    assert note.text.splitlines() == [
        "Call summary (ElevenLabs)",
        "Outcome: unknown",
        "Duration: unknown",
        "Conversation: conv_1",
        "",
        "(no summary)",
        "",
        "Transcript: none",
    ]
    assert note.attachments == ()


def test_a_long_call_shows_the_first_turns_and_says_how_many_more_are_attached() -> None:
    turns = [CallTurn(role="user", message=f"turn {n} " + "x" * 200) for n in range(100)]
    note = render_call_note(call(*turns))
    shown = [line for line in note.text.splitlines() if line.startswith("[-:--] Caller: turn")]
    assert 0 < len(shown) < 100
    assert note.text.endswith(
        f"... {100 - len(shown)} more turns in the attached transcript-conv_1.txt"
    )
    assert all(f"turn {n} " in note.attachments[0].data.decode() for n in range(100))


@pytest.mark.parametrize(
    ("seconds", "duration", "clock"),
    [
        (0, "0 s", "0:00"),
        (59.6, "1 min 00 s", "0:59"),
        (132, "2 min 12 s", "2:12"),
        (3725, "1 h 02 min 05 s", "1:02:05"),
        (None, "unknown", "-:--"),
        (-1, "unknown", "-:--"),
        (float("nan"), "unknown", "-:--"),
        (float("inf"), "unknown", "-:--"),
        (1e300, "2777 h 46 min 40 s", "2777:46:40"),
    ],
)
def test_durations_and_times_in_the_call(seconds: float | None, duration: str, clock: str) -> None:
    assert (duration_text(seconds), clock_text(seconds)) == (duration, clock)


@pytest.mark.parametrize(
    ("conversation", "name"),
    [
        ("conv_01jz8q4k7mexample", "transcript-conv_01jz8q4k7mexample.txt"),
        ("../../etc/passwd", "transcript-.._.._etc_passwd.txt"),
        ("", "transcript-call.txt"),
        ("ü" * 200, "transcript-" + "_" * 80 + ".txt"),
    ],
)
def test_the_attachment_name_keeps_only_safe_characters(conversation: str, name: str) -> None:
    assert transcript_filename(conversation) == name


texts = st.text(max_size=3000) | st.none()
turns = st.builds(
    CallTurn,
    role=st.sampled_from(["agent", "user", "tool", ""]) | st.text(max_size=30),
    message=texts,
    time_in_call_secs=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    tool_names=st.lists(st.text(max_size=100), max_size=8).map(tuple),
)


@given(
    title=texts,
    summary=st.text(max_size=10_000) | st.none(),
    outcome=texts,
    conversation=st.text(max_size=300),
    call_turns=st.lists(turns, max_size=60),
)
def test_any_call_makes_a_bounded_note_of_printable_lines_and_a_whole_transcript(
    title: str | None,
    summary: str | None,
    outcome: str | None,
    conversation: str,
    call_turns: list[CallTurn],
) -> None:
    record = call(
        *call_turns, title=title, summary=summary, outcome=outcome, conversation_id=conversation
    )
    note = render_call_note(record)
    assert len(note.text) <= MAX_NOTE_CHARS
    assert not any(_control(char) for char in note.text.replace("\n", ""))
    lines = note.text.split("\n")
    if not call_turns:
        assert note.attachments == ()
        return
    heading = max(i for i, line in enumerate(lines) if TURNS_HEADING.match(line))
    shown = [line for line in lines[heading + 1 :] if line.startswith("[")]
    assert len(shown) + _omitted(lines[-1]) == len(call_turns)
    transcript = note.attachments[0].data.decode()
    assert len(transcript.splitlines()) == len(call_turns) + 2
    for turn in call_turns:
        for word in (turn.message or "").split():
            if not any(_control(char) for char in word):
                assert word in transcript


def _control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in "\u2028\u2029"


def _omitted(last_line: str) -> int:
    if not last_line.startswith("... "):
        return 0
    return int(last_line.split()[1])
