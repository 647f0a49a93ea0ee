"""Decoding an input into its command, and describing a command as a JSON schema - the same for
the webhook's body and every MCP tool's arguments.

The commands are the use cases' own structs (``application``), typed from the rule table
(``application.inputs.fields``), so the webhook body and every MCP tool's arguments are accepted
and refused by one rule, with one wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

import msgspec

from application.inputs.explain import field_errors
from application.inputs.json_depth import check_json_depth
from application.inputs.lenient import choice_errors, one_of, relaxed
from domain.errors import FORM_ERRORS, InvalidInput

T = TypeVar("T", bound=msgspec.Struct)


@cache
def _json_decoder(kind: type[msgspec.Struct]) -> msgspec.json.Decoder[Any]:
    """One decoder per command type, made on first use (a decoder compiles its type once)."""
    return msgspec.json.Decoder(kind)


def decode(kind: type[T], data: bytes | Mapping[str, Any], *, phone_region: str | None = None) -> T:
    """``data`` - a JSON body, or arguments already parsed (an MCP call) - as a ``kind`` command.

    Unknown fields are ignored and ``null`` means absent. A strictly valid input costs one
    msgspec decode; one that is not gets a second try with its looser forms made strict
    (``application.inputs.lenient``: a confidence as a number, an empty optional field, a national
    caller number read in ``phone_region``). On any failure ``InvalidInput`` names every bad
    field in the webhook's (zod's) words, or carries a top-level ``_errors`` entry for a
    document that is not a JSON object.
    """
    check_json_depth(data)  # before any parser recurses into it (application/inputs/json_depth.py)
    try:
        if isinstance(data, bytes):
            command: T = _json_decoder(kind).decode(data)
            return command
        return msgspec.convert(data, kind, strict=True)
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass
    if isinstance(data, bytes):
        try:
            document: Any = msgspec.json.decode(data)
        except msgspec.DecodeError as error:
            raise InvalidInput({FORM_ERRORS: [f"Malformed JSON body: {error}"]}) from None
    else:
        document = dict(data) if isinstance(data, Mapping) else data  # None: "received null"
    return _second_try(kind, document, phone_region)


def _second_try(kind: type[T], document: Any, phone_region: str | None) -> T:
    """The document (a key given twice: JSON's last value wins, as for the mapping) with its
    looser forms made strict; else the refusal naming every bad field."""
    errors: dict[str, list[str]] = {}
    if isinstance(document, dict):
        document, errors = relaxed(kind, document, phone_region)
    try:
        command = msgspec.convert(document, kind, strict=True)
    except msgspec.ValidationError as error:
        failure = str(error)
    else:
        if not errors:
            return command
        failure = ""
    explained = field_errors(kind, document)
    if errors:  # the looser forms' own errors first, as the use case would order them
        for name, messages in explained.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors = explained
    if isinstance(document, dict) and (choice := one_of(kind)):
        given = [name for name in choice if document.get(name) is not None]
        if len(given) != 1:
            for name, messages in choice_errors(choice, given).items():
                errors.setdefault(name, []).extend(messages)
    raise InvalidInput(errors or {FORM_ERRORS: [failure]}) from None


def input_schema(kind: type[msgspec.Struct]) -> dict[str, Any]:
    """The JSON schema of ``kind``'s wire form, written the way every MCP client reads it."""
    schema = client_friendly_schema(msgspec.json.schema(kind))
    schema.pop("description", None)  # the struct's docstring is for developers
    schema["type"] = "object"
    return schema


def client_friendly_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema with ``$ref``s inlined, ``X | None`` (optional) as plain ``X`` left out of
    ``required``, no generated titles, and ``type: string`` on string enums.

    Several clients (voice-agent platforms among them) follow neither ``$ref`` nor ``anyOf``;
    an explicit null is still accepted by ``decode``. Works on msgspec's and pydantic's output.
    """
    definitions: dict[str, Any] = schema.get("$defs", {})

    def simplify(node: Any) -> Any:
        if isinstance(node, list):
            return [simplify(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = definitions[ref.removeprefix("#/$defs/")]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        variants = node.get("anyOf")
        if isinstance(variants, list) and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            if len(rest) == 1 and node.get("default", ...) is None:
                outer = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
                node = {**simplify(rest[0]), **outer}
        result = {k: simplify(v) for k, v in node.items() if k not in ("$defs", "title")}
        if isinstance(node.get("properties"), dict):  # property names are not keywords
            result["properties"] = {k: simplify(v) for k, v in node["properties"].items()}
        enum = result.get("enum")
        if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
            result.setdefault("type", "string")
        return result

    simplified: dict[str, Any] = simplify(schema)
    return simplified
