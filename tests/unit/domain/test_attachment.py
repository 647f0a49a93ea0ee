"""``Attachment``: a note's file is bounded when it is made, the same for every helpdesk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.ticket import MAX_ATTACHMENT_BYTES, MAX_FILENAME_LENGTH, Attachment


@given(st.text(), st.integers(min_value=0, max_value=64))
def test_a_text_is_cut_at_a_character_boundary_to_fit(text: str, limit: int) -> None:
    made = Attachment.text("transcript.txt", text, limit)
    assert len(made.data) <= limit
    assert text.startswith(made.data.decode())  # whole characters, the start of the text
    if len(text.encode()) <= limit:
        assert made.data == text.encode()


def test_the_default_limit_keeps_a_long_transcript_whole_up_to_its_bound() -> None:
    long = "é" * MAX_ATTACHMENT_BYTES  # two bytes each: twice the bound
    made = Attachment.text("transcript.txt", long)
    assert len(made.data) == MAX_ATTACHMENT_BYTES
    assert made.content_type == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("filename", "content_type", "size"),
    [
        ("", "text/plain", 1),
        ("../etc/passwd", "text/plain", 1),
        ("a\\b.txt", "text/plain", 1),
        ("x" * (MAX_FILENAME_LENGTH + 1), "text/plain", 1),
        ("t.txt", "plain", 1),
        ("t.txt", "text/plain", MAX_ATTACHMENT_BYTES + 1),
    ],
    ids=["no-name", "path", "backslash", "long-name", "no-mime", "too-big"],
)
def test_a_file_out_of_bounds_cannot_be_made(filename: str, content_type: str, size: int) -> None:
    with pytest.raises(ValueError, match="attachment"):
        Attachment(filename, content_type, b"x" * size)


def test_a_file_at_its_bounds_is_made() -> None:
    made = Attachment("x" * MAX_FILENAME_LENGTH, "application/json", b"x" * MAX_ATTACHMENT_BYTES)
    assert len(made.data) == MAX_ATTACHMENT_BYTES
