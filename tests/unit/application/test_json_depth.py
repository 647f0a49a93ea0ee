"""The JSON depth limit: the bytes scan and the parsed-value walk agree with a plain recursive
count, brackets inside strings do not count, and ``decode`` refuses a deep document with one
VALIDATION_ERROR naming the limit on either transport's input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.inputs.json_depth import (
    MAX_JSON_DEPTH,
    bytes_too_deep,
    check_json_depth,
    value_too_deep,
)
from application.use_cases.oa_handoff import OaHandoffCommand
from domain.errors import InvalidInput
from entrypoints.wire.decoding import decode


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def nested(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(levels):
        value = {"a": value} if level % 2 else [value]
    return value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ax,:'),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"a', max_size=3), children, max_size=3)
    ),
    max_leaves=60,
)


@given(json_values, st.integers(min_value=0, max_value=8))
def test_the_scan_and_the_walk_agree_with_a_recursive_count(value, limit):
    expected = depth(value) > limit
    assert bytes_too_deep(json.dumps(value).encode(), limit) is expected
    assert value_too_deep(value, limit) is expected


@pytest.mark.parametrize(
    ("levels", "refused"), [(1, False), (MAX_JSON_DEPTH, False), (MAX_JSON_DEPTH + 1, True)]
)
def test_the_limit_is_inclusive(levels, refused):
    document = nested(levels)
    assert bytes_too_deep(json.dumps(document).encode()) is refused
    assert value_too_deep(document) is refused


@pytest.mark.parametrize(
    "text",
    [
        b"[" * 30_000 + b"]" * 30_000,
        b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
        b"[" * 50_000,  # unterminated: still too deep, before any parser sees it
        b"[{" * 20 + b"]}" * 20,  # 40 levels of alternating kinds
    ],
)
def test_deep_texts_are_refused(text):
    assert bytes_too_deep(text)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"note": "[" * 5_000 + "{" * 5_000}).encode(),
        json.dumps({"note": '\\"[[[[' * 1_000}).encode(),  # escaped quotes inside the string
        b"[" + b"[]," * 20_000 + b"[]]",  # wide, two levels
        b"]" * 100,  # unbalanced: malformed, for the parser to say
    ],
)
def test_shallow_texts_pass(text):
    assert not bytes_too_deep(text)


@pytest.mark.parametrize(
    "data",
    [
        b'{"note":' + b"[" * 30_000 + b"]" * 30_000 + b"}",
        {"note": nested(40)},
        {"unknown": nested(40)},  # an ignored field is no way past the limit
    ],
    ids=["body", "arguments", "unknown field"],
)
def test_decode_refuses_a_deep_document_naming_the_limit(data):
    with pytest.raises(InvalidInput) as refused:
        decode(OaHandoffCommand, data)
    assert refused.value.field_errors == {"_errors": ["JSON nested deeper than 32 levels"]}


def test_check_json_depth_passes_a_real_hand_off():
    check_json_depth(b'{"note":"Category: WiFi\\nReason: CallerRequested","oaKey":"k"}')
    check_json_depth({"metadata": {"plan": "gold"}})
