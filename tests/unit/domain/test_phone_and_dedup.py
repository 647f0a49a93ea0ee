"""Caller numbers and the dedup policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dedup import DedupPolicy
from domain.errors import InvalidInput
from domain.phone import parse_caller_number
from domain.taxonomy import Category


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+12345678900", None, "+12345678900"),
        ("+1 (415) 555-2671", None, "+14155552671"),
        ("+44 20 7946 0958", None, "+442079460958"),
        (" +14155552671 ", None, "+14155552671"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("1 415 555 2671", "US", "+14155552671"),
        ("+44 20 7946 0958", "US", "+442079460958"),  # a country code still wins
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_numbers_are_normalised_to_e164(raw: str, region: str | None, e164: str) -> None:
    assert parse_caller_number(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        *(
            (raw, None)
            for raw in ["12345678900", "+1", "+999999999999", "phone", "+1415555267a", ""]
        ),
        *((raw, "US") for raw in ["555", "020 7946 0958", "phone", ""]),
    ],
)
def test_invalid_numbers_name_the_caller_number_field(raw: str, region: str | None) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_caller_number(raw, region)
    assert list(error.value.field_errors) == ["callerNumber"]


@given(st.text(max_size=40), st.sampled_from([None, "US", "GB", "DE"]))
def test_parsing_never_raises_anything_but_invalid_input(raw: str, region: str | None) -> None:
    try:
        number = parse_caller_number(raw, region)
    except InvalidInput:
        return
    assert number.startswith("+")
    assert parse_caller_number(number) == number  # normal form is a fixed point


def test_keys_are_oa_key_first_then_caller_and_category() -> None:
    policy = DedupPolicy()
    assert policy.keys_for("oa-1", "+12345678900", Category.WIFI) == (
        "oa:oa-1",
        "caller:+12345678900:WiFi",
    )
    assert policy.keys_for(None, "+12345678900", Category.OUTAGE) == ("caller:+12345678900:Outage",)
    assert policy.keys_for("oa-1", None, Category.WIFI) == ("oa:oa-1",)
    assert policy.keys_for(None, None, Category.WIFI) == ()


def test_the_window_is_four_hours_from_creation() -> None:
    policy = DedupPolicy()
    assert policy.window_seconds == 4 * 3600
    assert policy.is_fresh(created_at=1000.0, now=1000.0 + 4 * 3600 - 1)
    assert not policy.is_fresh(created_at=1000.0, now=1000.0 + 4 * 3600)
