"""Caller numbers, normalised to E.164 so one caller is one dedup key however it was written."""

from __future__ import annotations

from functools import lru_cache
from typing import NewType

import phonenumbers

from domain.errors import InvalidInput

E164_MESSAGE = "callerNumber must be a valid E.164 number (e.g. +12345678900)"
MAX_INPUT_LENGTH = 32


CallerNumber = NewType("CallerNumber", str)
"""A valid phone number in E.164 form (``+12345678900``): only ``parse_caller_number`` makes one."""


def parse_caller_number(raw: str) -> CallerNumber:
    """Validate and normalise ``raw``; raise ``InvalidInput`` on the ``callerNumber`` field."""
    normalised = _normalise(raw)
    if normalised is None:
        raise InvalidInput.single("callerNumber", E164_MESSAGE)
    return CallerNumber(normalised)


@lru_cache(maxsize=65_536)
def _normalise(raw: str) -> str | None:
    """Parse once per distinct input: agents repeat the same callers, and parsing is costly."""
    text = raw.strip()
    if not text.startswith("+") or len(text) > MAX_INPUT_LENGTH:
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
