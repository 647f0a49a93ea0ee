"""Explain why a body failed to decode: every offending field, in the spec's (zod's) wording.

The fast path decodes straight into ``HandoffPayload``; msgspec stops at the first error, so on
failure this slower pass checks each field on its own against the same annotated types (the
constraints live once, on the struct) and reports them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

import msgspec

from domain.errors import FORM_ERRORS, InvalidInput
from domain.note import CONFIDENCE_MESSAGE
from domain.phone import E164_MESSAGE

_TYPE_NAMES = {
    "int": "number",
    "float": "number",
    "bool": "boolean",
    "array": "array",
    "object": "object",
    "null": "null",
    "NoneType": "null",
    "list": "array",
    "str": "string",
}
_EXPECTED = re.compile(r"Expected `(\w+)[^`]*`, got `(\w+)`")
_MIN = re.compile(r"length >= (\d+)")
_MAX = re.compile(r"length <= (\d+)")
_PATTERN_MESSAGES = {"confidence": CONFIDENCE_MESSAGE, "callerNumber": E164_MESSAGE}


def field_types(struct: type[msgspec.Struct]) -> dict[str, tuple[Any, bool]]:
    """wire name -> (annotated type, required) for every field of ``struct``."""
    return {f.encode_name: (f.type, f.required) for f in msgspec.structs.fields(struct)}


def explain(
    raw: bytes,
    struct: type[msgspec.Struct],
    value_checks: Mapping[str, Callable[[Any], object]] | None = None,
) -> InvalidInput:
    """All field errors of ``raw`` against ``struct``; top-level ``_errors`` for a bad document.

    ``value_checks`` (wire name -> a domain parser raising ``InvalidInput``) run on the fields
    whose type and length are right, so one answer also names a bad note shape or phone number
    next to, say, an invalid enum.
    """
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        return InvalidInput({FORM_ERRORS: [f"Malformed JSON body: {error}"]})
    if not isinstance(data, dict):
        received = _TYPE_NAMES.get(type(data).__name__, type(data).__name__)
        if isinstance(data, list):
            received = "array"
        return InvalidInput({FORM_ERRORS: [f"Expected object, received {received}"]})
    errors: dict[str, list[str]] = {}
    for name, (annotation, required) in field_types(struct).items():
        value = data.get(name)
        if value is None:
            if required:
                errors[name] = ["Required"]
            continue
        try:
            msgspec.convert(value, annotation, strict=True)
        except msgspec.ValidationError as error:
            errors[name] = [_wording(name, str(error), value, annotation)]
            continue
        check = (value_checks or {}).get(name)
        if check is not None and value != "":
            try:
                check(value)
            except InvalidInput as invalid:
                for messages in invalid.field_errors.values():
                    errors.setdefault(name, []).extend(messages)
    if not errors:  # cannot happen for a body the struct refused; kept so callers never get {}
        errors[FORM_ERRORS] = ["Invalid request payload"]
    return InvalidInput(errors)


def _wording(field: str, message: str, value: Any, annotation: Any) -> str:
    expected = _EXPECTED.search(message)
    if expected:
        want = _TYPE_NAMES.get(expected.group(1), expected.group(1))
        got = _TYPE_NAMES.get(expected.group(2), expected.group(2))
        return f"Expected {want}, received {got}"
    if match := _MIN.search(message):
        return f"String must contain at least {match.group(1)} character(s)"
    if match := _MAX.search(message):
        return f"String must contain at most {match.group(1)} character(s)"
    if message.startswith("Invalid enum value"):
        choices = " | ".join(f"'{v}'" for v in _enum_values(annotation))
        return f"Invalid enum value. Expected {choices}, received '{value}'"
    if "matching regex" in message:
        return _PATTERN_MESSAGES.get(field, "Invalid format")
    return message.split(" - at ")[0]


def _enum_values(annotation: Any) -> list[str]:
    """The values of the enum inside ``Enum | None``."""
    for member in getattr(annotation, "__args__", (annotation,)):
        if isinstance(member, type) and issubclass(member, Enum):
            return [str(item.value) for item in member]
    return []
