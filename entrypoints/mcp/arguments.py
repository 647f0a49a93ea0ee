"""The tools' arguments: per use-case Command, the input schema a client reads and the decoder
that turns a call's arguments into that Command (or refuses them with ``InvalidInput``, every
bad argument named, in the webhook's wording).

``input_schema(kind)`` and ``decode(kind, arguments)`` are the whole interface the tool table
uses; ``kind`` is the use case's Command class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from application.append_note import MAX_AUTHOR_CHARS, MAX_TICKET_ID_CHARS, AppendNoteCommand
from application.create_ticket import (
    MAX_METADATA_ENTRIES,
    MAX_METADATA_VALUE_CHARS,
    CreateTicketCommand,
)
from application.find_or_create_ticket import FindOrCreateTicketCommand
from application.inputs import MAX_KEY_CHARS, MAX_SOURCE_CHARS, too_long, too_short
from application.oa_handoff import OaHandoffCommand
from application.render_note import RenderNoteCommand
from domain.errors import InvalidInput
from domain.note import (
    CONFIDENCE_MESSAGE,
    CONFIDENCE_PATTERN,
    FREE_TEXT_MAX_CHARS,
    FREE_TEXT_MIN_CHARS,
    NOTE_MAX_CHARS,
    NOTE_MIN_CHARS,
    SUMMARY_MAX_CHARS,
)
from domain.phone import E164_MESSAGE, E164_PATTERN
from domain.taxonomy import Category, EscalationReason
from entrypoints.mcp.contract import client_friendly_schema

CommandT = TypeVar("CommandT")

FREE_TEXT = f"{FREE_TEXT_MIN_CHARS}-{FREE_TEXT_MAX_CHARS} characters"
Description = Annotated[
    str,
    Field(
        min_length=FREE_TEXT_MIN_CHARS,
        max_length=FREE_TEXT_MAX_CHARS,
        description=f"What the caller's problem is, in plain words ({FREE_TEXT}). A 4-line "
        "note (Category/Reason/Summary/Confidence) is read as one.",
    ),
]
CategoryArg = Annotated[
    Category | None,
    Field(description="The problem's category. Omit it to let the bridge infer it from the text."),
]
ReasonArg = Annotated[
    EscalationReason | None,
    Field(description="Why a human is needed. Omit it to let the bridge infer it."),
]
ConfidenceArg = Annotated[
    str | None,
    Field(pattern=CONFIDENCE_PATTERN, description='How sure you are, "0.0"-"1.0" (e.g. "0.85").'),
]
CallerNumberArg = Annotated[
    str | None,
    Field(
        pattern=E164_PATTERN,
        description="The caller's phone number in E.164 form (e.g. +12345678900). Identifies "
        "the caller for deduplication.",
    ),
]
OaKeyArg = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=MAX_KEY_CHARS,
        description="Your stable key for this problem (e.g. the conversation id).",
    ),
]
SourceArg = Annotated[
    str | None,
    Field(max_length=MAX_SOURCE_CHARS, description="Which agent is filing (a free label)."),
]


class _Arguments(BaseModel):
    """Unknown arguments are ignored, as the webhook ignores unknown fields."""


class CreateTicketArguments(_Arguments):
    description: Description
    category: CategoryArg = None
    escalationReason: ReasonArg = None  # noqa: N815 - the wire's name
    callerNumber: CallerNumberArg = None  # noqa: N815
    source: SourceArg = None
    metadata: Annotated[
        dict[str, Annotated[str, Field(max_length=MAX_METADATA_VALUE_CHARS)]] | None,
        Field(
            max_length=MAX_METADATA_ENTRIES,
            description=f"Extra facts for the technician as string pairs (at most "
            f"{MAX_METADATA_ENTRIES}, values up to {MAX_METADATA_VALUE_CHARS} characters).",
        ),
    ] = None


class AppendNoteArguments(_Arguments):
    ticketId: Annotated[  # noqa: N815
        str,
        Field(
            min_length=1,
            max_length=MAX_TICKET_ID_CHARS,
            description="The ticket's id exactly as a previous call returned it.",
        ),
    ]
    note: Annotated[
        str,
        Field(
            min_length=FREE_TEXT_MIN_CHARS,
            max_length=FREE_TEXT_MAX_CHARS,
            description=f"The follow-up to record ({FREE_TEXT}).",
        ),
    ]
    author: Annotated[
        str | None, Field(max_length=MAX_AUTHOR_CHARS, description="Who writes the note.")
    ] = None


class _ProblemArguments(_Arguments):
    category: CategoryArg = None
    escalationReason: ReasonArg = None  # noqa: N815
    confidence: ConfidenceArg = None
    callerNumber: CallerNumberArg = None  # noqa: N815
    oaKey: OaKeyArg = None  # noqa: N815
    source: SourceArg = None


class FindOrCreateArguments(_ProblemArguments):
    description: Description


class OaHandoffArguments(_ProblemArguments):
    note: Annotated[
        str,
        Field(
            min_length=NOTE_MIN_CHARS,
            max_length=NOTE_MAX_CHARS,
            description=f"The 4-line note (at most {NOTE_MAX_CHARS} characters), exactly as the "
            "render-note tool returns it.",
        ),
    ]


class RenderNoteArguments(_Arguments):
    category: Annotated[Category, Field(description="The problem's category.")]
    escalationReason: Annotated[  # noqa: N815
        EscalationReason, Field(description="Why a human is needed.")
    ]
    summary: Annotated[
        str,
        Field(
            min_length=1,
            max_length=SUMMARY_MAX_CHARS,
            description=f"One line (at most {SUMMARY_MAX_CHARS} characters) a technician can "
            "act on.",
        ),
    ]
    confidence: Annotated[
        str, Field(pattern=CONFIDENCE_PATTERN, description='How sure you are, "0.0" to "1.0".')
    ]


_MODELS: Mapping[type[Any], type[_Arguments]] = {
    CreateTicketCommand: CreateTicketArguments,
    AppendNoteCommand: AppendNoteArguments,
    FindOrCreateTicketCommand: FindOrCreateArguments,
    OaHandoffCommand: OaHandoffArguments,
    RenderNoteCommand: RenderNoteArguments,
}
_PATTERN_MESSAGES: Mapping[str, str] = {
    "callerNumber": E164_MESSAGE,
    "confidence": CONFIDENCE_MESSAGE,
}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def input_schema(kind: type[Any]) -> dict[str, Any]:
    """The JSON schema of ``kind``'s arguments, in the form every client reads."""
    return client_friendly_schema(_MODELS[kind].model_json_schema())


def decode(kind: type[CommandT], arguments: Mapping[str, Any]) -> CommandT:
    """``arguments`` as a ``kind`` Command; ``InvalidInput`` naming every refused argument."""
    try:
        parsed = _MODELS[kind].model_validate(dict(arguments))
    except ValidationError as error:
        raise InvalidInput(_field_errors(error)) from None
    fields = {_CAMEL.sub("_", name).lower(): value for name, value in parsed}
    return kind(**fields)


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    field_errors: dict[str, list[str]] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        field = location[0] if location else "_errors"
        field_errors.setdefault(field, []).append(_wording(field, item))
    return field_errors


def _wording(field: str, item: Any) -> str:
    """The use cases' (zod's) wording for pydantic's common refusals; pydantic's otherwise."""
    kind = item.get("type")
    context = item.get("ctx") or {}
    if kind == "missing":
        return "Required"
    if kind == "string_too_short" and "min_length" in context:
        return too_short(int(context["min_length"]))
    if kind == "string_too_long" and "max_length" in context:
        return too_long(int(context["max_length"]))
    if kind == "string_pattern_mismatch" and field in _PATTERN_MESSAGES:
        return _PATTERN_MESSAGES[field]
    return str(item.get("msg", "Invalid value"))
