"""How deep a JSON document nests, checked before anything parses or walks it.

A document nested thousands of levels deep is small (60 KB holds 30,000 levels) but costs
recursion in every parser and validator that reads it: msgspec gives up with a ``RecursionError``,
the MCP SDK's parser drops the line. No input of this service nests more than a few levels (a
command is an object of scalars, ``metadata`` one object more), so anything deeper than
``MAX_JSON_DEPTH`` is refused as a ``VALIDATION_ERROR`` naming the limit, on every transport.

Depth counts containers: ``"x"`` is 0, ``{"a": "x"}`` is 1, ``{"a": ["x"]}`` is 2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from domain.errors import FORM_ERRORS, InvalidInput

MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: no backtracking
_BRACKETS_ONLY = bytes(range(256)).translate(None, b"[]{}")  # every byte but the brackets
_ONE_KIND = bytes.maketrans(b"{}", b"[]")


def too_deep(limit: int = MAX_JSON_DEPTH) -> InvalidInput:
    """The refusal of a document nested deeper than ``limit``."""
    return InvalidInput({FORM_ERRORS: [f"JSON nested deeper than {limit} levels"]})


def bytes_too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``data`` nests deeper than ``limit`` (brackets inside strings do not
    count). A document with at most ``limit`` opening brackets in all - every real hand-off -
    costs two ``bytes.count``; another a pass of ``re.sub`` (strings out) and of ``translate``
    (brackets only), then at most ``limit`` passes of ``bytes.replace``, each taking out the
    innermost level: C loops over at most the body's size, never a Python loop per byte (a few
    milliseconds at worst, for a 64 KB body built to be slow).
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", data).translate(_ONE_KIND, _BRACKETS_ONLY)
    if b"[" * (limit + 1) in brackets:  # the usual attack: one long run of openings
        return True
    for _ in range(limit):
        shallower = brackets.replace(b"[]", b"")
        if len(shallower) == len(brackets):
            return False  # nothing left to open (or unbalanced: malformed, for the parser to say)
        brackets = shallower
    return b"[]" in brackets


def value_too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether an already parsed value (an MCP call's arguments) nests deeper than ``limit``;
    iterative, and it stops at the first container past the limit."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        depth += 1
        if depth > limit:
            return True
        stack.extend((child, depth) for child in children if isinstance(child, list | tuple | dict))
    return False


def check_json_depth(data: bytes | Mapping[str, Any], limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ``InvalidInput`` (``VALIDATION_ERROR``) when ``data`` - JSON text, or arguments
    already parsed - nests deeper than ``limit``."""
    deep = bytes_too_deep(data, limit) if isinstance(data, bytes) else value_too_deep(data, limit)
    if deep:
        raise too_deep(limit)
