"""Why an input failed to become its command: every offending field, in the spec's (zod's) words.

Decoding stops at the first error, so on failure this slower pass checks each field on its own
against its rule (``application.inputs.fields``: the annotated type, then the domain check it names)
and reports them all. The same words come out whichever transport sent the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any

import msgspec

from application.inputs.fields import checks
from domain.errors import FORM_ERRORS, InvalidInput, too_long, too_short

# msgspec names JSON types, or Python types for converted objects: both read as JSON's names.
_TYPE_NAMES = {
    "int": "number",
    "float": "number",
    "bool": "boolean",
    "array": "array",
    "list": "array",
    "tuple": "array",
    "object": "object",
    "dict": "object",
    "null": "null",
    "NoneType": "null",
    "str": "string",
    "bytes": "bytes",
}
Check = Callable[[Any], object]
MAX_ECHO_CHARS = 64
_EXPECTED = re.compile(r"Expected `(\w+)[^`]*`, got `(\w+)`")
_MIN = re.compile(r"Expected `(\w+)` of length >= (\d+)")
_MAX = re.compile(r"Expected `(\w+)` of length <= (\d+)")


def received(value: Any) -> str:
    """JSON's name for the type of ``value`` (zod's "received ...")."""
    name = type(value).__name__
    return _TYPE_NAMES.get(name, name)


def field_errors(kind: type[msgspec.Struct], data: Any) -> dict[str, list[str]]:
    """Every field error of ``data`` (a parsed JSON document) against ``kind``; a document that
    is not an object is one top-level ``_errors`` entry."""
    if not isinstance(data, dict):
        return {FORM_ERRORS: [f"Expected object, received {received(data)}"]}
    errors: dict[str, list[str]] = {}
    for name, annotation, required, check in _rules(kind):
        value = data.get(name)
        if value is None:
            if required:
                errors[name] = ["Required"]
            continue
        try:
            msgspec.convert(value, annotation, strict=True)
        except msgspec.ValidationError as error:
            errors[name] = [_wording(str(error), value, annotation)]
            continue
        if check is not None and value != "":
            try:
                check(value)
            except InvalidInput as invalid:
                for messages in invalid.field_errors.values():
                    errors.setdefault(name, []).extend(messages)
    return errors


@cache
def _rules(kind: type[msgspec.Struct]) -> tuple[tuple[str, Any, bool, Check | None], ...]:
    """(wire name, annotated type, required, domain check) per field, read once per command."""
    return tuple(
        (f.encode_name, f.type, f.required, checks(f.type)[0]) for f in msgspec.structs.fields(kind)
    )


def _wording(message: str, value: Any, annotation: Any) -> str:
    if match := _MIN.search(message):
        return _length_wording(match.group(1), int(match.group(2)), minimum=True)
    if match := _MAX.search(message):
        return _length_wording(match.group(1), int(match.group(2)), minimum=False)
    if expected := _EXPECTED.search(message):
        want = _TYPE_NAMES.get(expected.group(1), expected.group(1))
        got = _TYPE_NAMES.get(expected.group(2), expected.group(2))
        return f"Expected {want}, received {got}"
    if message.startswith("Invalid enum value"):
        choices = " | ".join(f"'{v}'" for v in _enum_values(annotation))
        return f"Invalid enum value. Expected {choices}, received '{_echo(value)}'"
    if "matching regex" in message:
        return checks(annotation)[1] or "Invalid format"
    return message.split(" - at ")[0]


def _echo(value: Any) -> str:
    """The received value as a refusal quotes it: at most ``MAX_ECHO_CHARS``, so an answer (and
    an MCP error result) stays small whatever was sent."""
    text = str(value)
    return text if len(text) <= MAX_ECHO_CHARS else text[:MAX_ECHO_CHARS] + "..."


def _length_wording(kind: str, limit: int, *, minimum: bool) -> str:
    if kind == "str":
        return too_short(limit) if minimum else too_long(limit)
    bound = "at least" if minimum else "at most"
    return f"Object must contain {bound} {limit} key(s)"


def _enum_values(annotation: Any) -> list[str]:
    """The values of the enum inside ``Annotated[Enum, ...] | None``, in declared order."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(item.value) for item in annotation]
    for member in getattr(annotation, "__args__", ()):
        if values := _enum_values(member):
            return values
    return []
