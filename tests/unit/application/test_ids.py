"""The identifiers of issue 10: references a caller can read aloud, keys every instance derives
alike."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.ids import (
    REFERENCE_ALPHABET,
    derived_key,
    handoff_reference,
    normalised_reference,
)

REFERENCE = re.compile(r"HB-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}")


def test_references_use_only_characters_that_cannot_be_misheard() -> None:
    drawn = {handoff_reference() for _ in range(2000)}
    assert all(REFERENCE.fullmatch(reference) for reference in drawn)
    assert len(drawn) > 1990  # fresh draws, not a sequence
    assert not set("".join(drawn)) & set("01ILO")
    assert set(REFERENCE_ALPHABET) <= set("".join(r[3:] for r in drawn))


@given(st.text(alphabet=REFERENCE_ALPHABET, min_size=6, max_size=6))
def test_a_reference_as_a_person_types_it_is_the_reference(body: str) -> None:
    reference = f"HB-{body}"
    for typed in (reference.lower(), f"  {reference} ", f"hb - {body[:3]} {body[3:]}".lower()):
        assert normalised_reference(typed) == reference


@given(st.text(min_size=1, max_size=200), st.text(min_size=1, max_size=200))
def test_a_derived_key_is_stable_and_hex(purpose: str, value: str) -> None:
    key = derived_key(purpose, value)
    assert key == derived_key(purpose, value)
    assert re.fullmatch(r"[0-9a-f]{32}", key)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("create", "oa:conv-1"), ("create", "oa:conv-2")),
        (("create", "oa:conv-1"), ("note", "oa:conv-1")),
        (("create", "a\x00b"), ("create\x00a", "b")),
    ],
)
def test_different_inputs_derive_different_keys(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    assert derived_key(*one) != derived_key(*other)


def test_a_derived_key_does_not_show_the_caller_number() -> None:
    assert "4155552671" not in derived_key("create", "caller:+14155552671:WiFi")
