"""More input cases for every transport (see tests/support/input_cases.py): ``REGIONAL_CASES`` run
with ``DEFAULT_PHONE_REGION=US``; ``ROWS`` is them and ``CASES``, each with its region; ``ANSWERS``:
LLM-shaped hand-offs and the answer fields they get."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.phone import regional_message
from tests.support.input_cases import CASES, NATIONAL, NOTE, REGION, TEXT, C, Errors, F, H

REGIONAL_CASES: list[tuple[str, type[msgspec.Struct], dict[str, Any], Errors]] = [
    ("a national caller number", H, {"note": NOTE, "callerNumber": NATIONAL}, None),
    (
        "an international number in a region",
        H,
        {"note": NOTE, "callerNumber": "+44 20 7946 0958"},
        None,
    ),
    (
        "no such national number",
        H,
        {"note": NOTE, "callerNumber": "555"},
        {"callerNumber": [regional_message(REGION)]},
    ),
    (
        "a national number and a bad field",
        H,
        {"note": NOTE, "callerNumber": NATIONAL, "oaKey": 5},
        {"oaKey": ["Expected string, received number"]},
    ),
    (
        "a bad national number and a bad field",
        H,
        {"note": NOTE, "callerNumber": "555", "oaKey": 5},
        {"callerNumber": [regional_message(REGION)], "oaKey": ["Expected string, received number"]},
    ),
    ("a summary from a phone call", H, {"summary": TEXT, "callerNumber": NATIONAL}, None),
    (
        "a national number for find-or-create",
        F,
        {"description": TEXT, "callerNumber": NATIONAL},
        None,
    ),
    (
        "a national number for a new ticket",
        C,
        {"description": TEXT, "callerNumber": NATIONAL},
        None,
    ),
]
ROWS: list[tuple[str, type[msgspec.Struct], dict[str, Any], Errors, str | None]] = [
    *((*case, None) for case in CASES),
    *((*case, REGION) for case in REGIONAL_CASES),
]

# (name, hand-off input, default region, fields its answer carries) on both transports.
ANSWERS: list[tuple[str, dict[str, Any], str | None, dict[str, Any]]] = [
    (
        "an LLM's summary, fields and number",
        {
            "summary": "Router reset did not bring the WiFi back",
            "category": "WiFi",
            "escalationReason": "TwoStepsNoResolve",
            "confidence": 0.85,
            "oaKey": "conv-1",
            "callerNumber": "",
        },
        None,
        {
            "category": "WiFi",
            "escalationReason": "TwoStepsNoResolve",
            "confidence": "0.85",
            "echo": {"oaKey": "conv-1", "callerNumber": None},
        },
    ),
    (
        "a summary alone: inferred, and no confidence vouched",
        {"summary": "Caller asks for a human about a double charge"},
        None,
        {"category": "Unknown", "escalationReason": "BillingOrAccount", "confidence": "0.0"},
    ),
    ("a whole-number confidence", {"note": NOTE, "confidence": 1}, None, {"confidence": "1.0"}),
    ("a long confidence", {"note": NOTE, "confidence": 0.12345}, None, {"confidence": "0.123"}),
    (
        "blanks fall back to the note",
        {"note": NOTE, "category": "", "escalationReason": "", "confidence": ""},
        None,
        {"category": "WiFi", "escalationReason": "CallerRequested", "confidence": "0.85"},
    ),
    (
        "a national number in the default region",
        {"note": NOTE, "callerNumber": NATIONAL},
        REGION,
        {"echo": {"oaKey": None, "callerNumber": "+14155552671"}},
    ),
]
