"""How one row of the rule table (``application.inputs.fields``) is written and read back.

A row is a ``msgspec.Meta``: the limits msgspec enforces and the description a schema shows,
plus in ``Meta.extra`` what a schema cannot say - ``CHECK``, the domain parser that judges a
value (a note's shape, a phone number's plan); ``PATTERN_MESSAGE``, the words for a pattern miss;
and ``LENIENT``, how a looser form a model writes (a JSON number for a string, a national phone
number) becomes the strict one (``application.inputs.lenient``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

CHECK = "check"
PATTERN_MESSAGE = "pattern_message"
LENIENT = "lenient"

Lenient = Callable[[Any, str | None], Any]
"""``(value, phone region) -> the value in its strict form``; ``InvalidInput`` when the looser
form is itself wrong (a confidence of 1.5); any other value is returned unchanged."""


def rule(
    description: str,
    *,
    example: str | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    pattern_message: str | None = None,
    check: Callable[[str], object] | None = None,
    lenient: Lenient | None = None,
    empty_is_absent: bool = False,
) -> msgspec.Meta:
    """One row of the table: a field's limits, its description and its domain check."""
    pairs = ((CHECK, check), (PATTERN_MESSAGE, pattern_message), (LENIENT, lenient))
    extra = {k: v for k, v in pairs if v}
    return msgspec.Meta(
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
        description=description + (" Empty means absent." if empty_is_absent else ""),
        examples=[example] if example else None,
        extra=extra or None,
    )


def checks(annotation: Any) -> tuple[Callable[[Any], object] | None, str | None]:
    """``(CHECK, PATTERN_MESSAGE)`` of a field's annotation (through ``X | None``)."""
    extra = _extra(annotation)
    return extra.get(CHECK), extra.get(PATTERN_MESSAGE)


def lenient_form(annotation: Any) -> Lenient | None:
    """The field's ``LENIENT`` conversion, if its row has one."""
    found: Lenient | None = _extra(annotation).get(LENIENT)
    return found


def _extra(annotation: Any) -> dict[str, Any]:
    for meta in _metas(annotation):
        if meta.extra:
            return meta.extra
    return {}


def _metas(annotation: Any) -> list[msgspec.Meta]:
    found: list[msgspec.Meta] = []
    for member in getattr(annotation, "__args__", ()):
        found.extend(_metas(member))
    found.extend(m for m in getattr(annotation, "__metadata__", ()) if isinstance(m, msgspec.Meta))
    return found
