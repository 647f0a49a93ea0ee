"""The looser forms a model writes, turned into the strict ones the rule table states.

A voice or chat agent's LLM fills a tool's arguments as it sees fit: a confidence as a JSON number
(``0.85``), an empty string for what it does not know, a caller number as the caller said it.
These are taken as a superset of the strict input (every input valid before gets the same
answer): msgspec refuses them on the fast path, and ``relaxed`` rewrites the document before the
second try (``entrypoints.wire.bodies.decode``), so a strictly valid input still costs one decode.

- An empty string for an optional field means absent (a field of a ``ONE_OF`` choice excepted:
  its emptiness is an error worth naming).
- A field whose row has a ``LENIENT`` form is rewritten by it (``application.inputs.fields``).
- ``choice_errors`` is the ``ONE_OF`` rule, for the use case and for the refusal alike.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

import msgspec

from application.inputs.field_rules import Lenient, lenient_form
from application.inputs.fields import Command
from domain.errors import InvalidInput

REQUIRED = "Required"


def relaxed(
    kind: type[msgspec.Struct], document: dict[str, Any], phone_region: str | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``document`` with its looser forms made strict, and the errors of those that were wrong
    (a field in error is left out, so it is named once)."""
    rules = _rules(kind)
    result: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in document.items():
        rule = rules.get(name)
        if rule is None:
            result[name] = value
            continue
        optional, lenient = rule
        if optional and value == "":
            continue
        if lenient is not None:
            try:
                value = lenient(value, phone_region)
            except InvalidInput as error:
                for messages in error.field_errors.values():
                    errors.setdefault(name, []).extend(messages)
                continue
        result[name] = value
    return result, errors


def choice_errors(one_of: tuple[str, ...], given: Collection[str]) -> dict[str, list[str]]:
    """The ``ONE_OF`` rule: none of ``one_of`` given -> the first is ``Required``; more than one
    -> each given one is named; exactly one -> no error."""
    if not one_of:
        return {}
    chosen = [name for name in one_of if name in given]
    if not chosen:
        return {one_of[0]: [REQUIRED]}
    if len(chosen) == 1:
        return {}
    message = f"give {' or '.join(one_of)}, not both"
    return {name: [message] for name in chosen}


def one_of(kind: type[msgspec.Struct]) -> tuple[str, ...]:
    """The command's ``ONE_OF`` choice (wire names), empty for a struct without one."""
    return kind.ONE_OF if issubclass(kind, Command) else ()


@cache
def _rules(kind: type[msgspec.Struct]) -> dict[str, tuple[bool, Lenient | None]]:
    """Wire name -> (an empty string means absent, the row's lenient form), read once."""
    choice = set(one_of(kind))
    return {
        f.encode_name: (not f.required and f.encode_name not in choice, lenient_form(f.type))
        for f in msgspec.structs.fields(kind)
    }
