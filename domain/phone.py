"""Caller numbers, normalised to E.164 so one caller is one dedup key however it was written.

A number is written with its country code (``+1 415 555 2671``), or - when the operator set a
default region (``DEFAULT_PHONE_REGION``, e.g. ``US``) - in that region's national form
(``(415) 555-2671``). Both become the same E.164 key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NewType

import phonenumbers

from domain.errors import InvalidInput

E164_MESSAGE = "callerNumber must be a valid E.164 number (e.g. +12345678900)"
MAX_INPUT_LENGTH = 32
# A region code phonenumbers has a numbering plan for (ISO 3166-1 alpha-2), any case.
REGION_PATTERN = "^(?i:" + "|".join(sorted(phonenumbers.SUPPORTED_REGIONS)) + ")$"


CallerNumber = NewType("CallerNumber", str)
"""A valid phone number in E.164 form (``+12345678900``): only ``parse_caller_number`` makes one."""


def regional_message(region: str) -> str:
    """The refusal of a caller number when national numbers of ``region`` are accepted too."""
    return (
        f"callerNumber must be a valid phone number: E.164 (e.g. +12345678900) or national "
        f"for {region}"
    )


def parse_caller_number(raw: str, region: str | None = None) -> CallerNumber:
    """Validate and normalise ``raw``; raise ``InvalidInput`` on the ``callerNumber`` field.

    ``region`` (an upper-case code such as ``US``, or None) is where a number written without
    ``+`` is read from; without one, only numbers with their country code are valid."""
    normalised = _normalise(raw, region)
    if normalised is None:
        message = E164_MESSAGE if region is None else regional_message(region)
        raise InvalidInput.single("callerNumber", message)
    return CallerNumber(normalised)


@lru_cache(maxsize=65_536)
def _normalise(raw: str, region: str | None) -> str | None:
    """Parse once per distinct input: agents repeat the same callers, and parsing is costly."""
    text = raw.strip()
    if len(text) > MAX_INPUT_LENGTH or not (text.startswith("+") or region is not None):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
