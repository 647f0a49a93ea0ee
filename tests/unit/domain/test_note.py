"""The 4-line note: rendering, parsing, limits and inference, as the spec states them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.note import (
    CONFIDENCE_RANGE_MESSAGE,
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
    SUMMARY_MAX_CHARS,
    Note,
    confidence_from_number,
    infer_category,
    infer_confidence,
    infer_reason,
    is_valid_confidence,
)
from domain.taxonomy import Category, EscalationReason

SPEC_NOTE = (
    "Category: WiFi\nReason: TwoStepsNoResolve\n"
    "Summary: Customer unable to connect to WiFi after router reset\nConfidence: 0.85"
)

summaries = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=SUMMARY_MAX_CHARS,
).filter(lambda s: s.strip() == s and s != "")
confidences = st.sampled_from(["0", "0.0", "0.5", "0.85", "0.999", "1", "1.0", "1.000"])


def test_renders_the_spec_example_exactly() -> None:
    note = Note.create(
        Category.WIFI,
        EscalationReason.TWO_STEPS_NO_RESOLVE,
        "Customer unable to connect to WiFi after router reset",
        "0.85",
    )
    assert note.render() == SPEC_NOTE
    assert len(note.render()) == 120  # the spec's "115" miscounts; docs/api.md says so


@given(
    st.sampled_from(list(Category)), st.sampled_from(list(EscalationReason)), summaries, confidences
)
def test_render_then_parse_round_trips(
    category: Category, reason: EscalationReason, summary: str, confidence: str
) -> None:
    note = Note.create(category, reason, summary, confidence)
    text = note.render()
    assert len(text) <= NOTE_MAX_CHARS
    assert text.count("\n") == 3
    assert Note.parse(text) == note


@given(
    st.text(min_size=SUMMARY_MAX_CHARS + 1, max_size=400).filter(
        lambda s: "\n" not in s and "\r" not in s and len(s.strip()) > SUMMARY_MAX_CHARS
    )
)
def test_summary_over_250_is_refused(summary: str) -> None:
    with pytest.raises(InvalidInput) as error:
        Note.create(Category.WIFI, EscalationReason.OTHER, summary, "0.5")
    assert "summary" in error.value.field_errors


@given(st.text(max_size=8).filter(lambda s: not is_valid_confidence(s)))
def test_invalid_confidence_is_refused(confidence: str) -> None:
    with pytest.raises(InvalidInput) as error:
        Note.create(Category.WIFI, EscalationReason.OTHER, "A summary", confidence)
    assert "confidence" in error.value.field_errors


@pytest.mark.parametrize("value", ["0.0", "1.0", "0.85", "0", "1", "0.123"])
def test_valid_confidences(value: str) -> None:
    assert is_valid_confidence(value)


@pytest.mark.parametrize("value", ["1.1", "-0.1", "2", "0.1234", ".5", "85%", "", " 0.5", "1.01"])
def test_invalid_confidences(value: str) -> None:
    assert not is_valid_confidence(value)


@given(st.text(max_size=400))
def test_parse_never_crashes_on_arbitrary_text(text: str) -> None:
    errors: dict[str, list[str]] = {}
    try:
        note = Note.parse(text)
    except InvalidInput as error:
        errors = error.field_errors
    else:
        assert len(note.summary) <= SUMMARY_MAX_CHARS
    assert set(errors) <= {"note"}


def test_the_longest_parts_still_render_within_the_note_limit() -> None:
    note = Note.create(
        max(Category, key=lambda c: len(c.value)),
        max(EscalationReason, key=lambda r: len(r.value)),
        "s" * SUMMARY_MAX_CHARS,
        "0.125",
    )
    assert len(note.render()) <= NOTE_MAX_CHARS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (NOTE_MIN_CHARS - 1), f"String must contain at least {NOTE_MIN_CHARS} character(s)"),
        (
            SPEC_NOTE + " " * (NOTE_MAX_CHARS + 1 - len(SPEC_NOTE)),
            f"String must contain at most {NOTE_MAX_CHARS} character(s)",
        ),
    ],
)
def test_the_note_owns_its_length_limits(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        Note.parse(text)
    assert error.value.field_errors == {"note": [message]}


@pytest.mark.parametrize(
    "text",
    [
        "Category: WiFi\nReason: Other\nSummary: x",  # 3 lines
        "Reason: Other\nCategory: WiFi\nSummary: x\nConfidence: 0.5",  # wrong order
        "just some free text that is long enough",
        "Category: WiFi\nReason: Other\nSummary: \nConfidence: 0.5",  # empty summary
        "Category: WiFi\nReason: Other\nSummary: x\nConfidence: high",
    ],
)
def test_malformed_notes_are_refused_on_the_note_field(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        Note.parse(text)
    assert list(error.value.field_errors) == ["note"]


def test_unknown_labels_in_a_note_are_inferred_from_the_summary() -> None:
    note = Note.parse(
        "Category: Internet\nReason: Because\nSummary: total outage, caller wants a human\n"
        "Confidence: 0.9"
    )
    assert note.category is Category.OUTAGE
    assert note.reason is EscalationReason.CALLER_REQUESTED


def test_labels_are_matched_case_insensitively_and_crlf_is_accepted() -> None:
    note = Note.parse("category: wifi\r\nreason: callerrequested\r\nSummary: s\r\nConfidence: 1")
    assert (note.category, note.reason) == (Category.WIFI, EscalationReason.CALLER_REQUESTED)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("There is an outage on Elm street", Category.OUTAGE),
        ("My wi-fi keeps dropping", Category.WIFI),
        ("I need port forwarding for my game server", Category.CGNAT),
        ("The coax cable in the wall is cut", Category.WIRING),
        ("I want to return the modem", Category.EQUIPMENT_RETURN),
        ("Something is odd", Category.UNKNOWN),
    ],
)
def test_category_inference(text: str, category: Category) -> None:
    assert infer_category(text) is category


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I smell smoke near the modem", EscalationReason.SAFETY_RISK),
        ("Why is my bill so high", EscalationReason.BILLING_OR_ACCOUNT),
        ("Let me speak to a human", EscalationReason.CALLER_REQUESTED),
        ("We tried rebooting, it did not help", EscalationReason.TWO_STEPS_NO_RESOLVE),
        ("hello", EscalationReason.OTHER),
    ],
)
def test_reason_inference(text: str, reason: EscalationReason) -> None:
    assert infer_reason(text) is reason


def test_confidence_inference_from_free_text() -> None:
    assert infer_confidence("blah. Confidence: 0.7") == "0.7"
    assert infer_confidence("confidence = 3") is None
    assert infer_confidence("no number") is None


@given(st.floats(min_value=0, max_value=1) | st.integers(min_value=0, max_value=1))
def test_a_confidence_number_gets_the_string_form_of_its_value(value: float) -> None:
    text = confidence_from_number(value)
    assert is_valid_confidence(text)
    assert abs(float(text) - value) <= 0.0005


@pytest.mark.parametrize("value", [-0.001, 1.001, 2, -1, 1e300])
def test_a_confidence_number_outside_0_to_1_is_refused_on_confidence(value: float) -> None:
    with pytest.raises(InvalidInput) as error:
        confidence_from_number(value)
    assert error.value.field_errors == {"confidence": [CONFIDENCE_RANGE_MESSAGE]}
