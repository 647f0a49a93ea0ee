"""The tools' wire contract apart from their inputs: served names, result structs (->
``outputSchema``), annotations, and the JSON-schema form every client reads.

Names: the spec's names are dotted (``helpdesk.create_ticket``). The MCP spec allows dots, but
Claude Desktop, claude.ai, Windsurf, Copilot and ElevenLabs accept only ``^[a-zA-Z0-9_-]{1,64}$``
and hide *every* tool of a server when one name fails, so the default style replaces ``.`` by
``_``; ``MCP_TOOL_NAME_STYLE=dotted`` serves the spec's exact names for clients that want them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec
from mcp.types import ToolAnnotations

from domain.taxonomy import Category, EscalationReason

# --- names ------------------------------------------------------------------------------------

CREATE_TICKET = "create_ticket"
APPEND_NOTE = "append_note"
FIND_OR_CREATE_TICKET = "find_or_create_ticket"
RENDER_NOTE = "render_note"
OA_HANDOFF = "oa_handoff"

SPEC_NAMES: Mapping[str, str] = {
    CREATE_TICKET: "helpdesk.create_ticket",
    APPEND_NOTE: "helpdesk.append_note",
    FIND_OR_CREATE_TICKET: "helpdesk.find_or_create_ticket",
    RENDER_NOTE: "ingest.render_note",
    OA_HANDOFF: "ingest.oa_handoff",
}
TOOL_NAME_RULE = r"^[a-zA-Z0-9_-]{1,64}$"  # what Claude Desktop, ElevenLabs & co. accept


def tool_names(style: str) -> dict[str, str]:
    """Tool key -> served name: ``underscore`` (default, client-safe) or ``dotted`` (the spec's)."""
    if style == "dotted":
        return dict(SPEC_NAMES)
    if style == "underscore":
        return {key: name.replace(".", "_") for key, name in SPEC_NAMES.items()}
    raise ValueError(f"unknown tool name style {style!r} (expected underscore or dotted)")


# --- annotations ------------------------------------------------------------------------------


def hints(title: str, *, read_only: bool = False, idempotent: bool = False) -> ToolAnnotations:
    """A tool's annotations. Nothing here deletes or overwrites (never destructive); a tool that
    writes reaches the helpdesk (open world), a read-only one computes locally (closed world)."""
    return ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=False,
        idempotent_hint=idempotent,
        open_world_hint=not read_only,
    )


# --- results ----------------------------------------------------------------------------------


class Output(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    """Base of every tool result: camelCase on the wire, as the spec shows it."""

    success: bool


TicketId = Annotated[str, msgspec.Meta(description="The ticket's id (e.g. TKT-1000); quote it.")]
TicketUrl = Annotated[str, msgspec.Meta(description="Link to the ticket in the helpdesk.")]
Created = Annotated[
    bool,
    msgspec.Meta(description="true: a new ticket was filed; false: the open one was found."),
]


class CreateTicketOutput(Output, frozen=True, kw_only=True):
    ticket_id: TicketId
    ticket_url: TicketUrl
    category: Category
    escalation_reason: EscalationReason


class AppendNoteOutput(Output, frozen=True, kw_only=True):
    message: str
    ticket_id: TicketId


class FindOrCreateOutput(Output, frozen=True, kw_only=True):
    created: Created
    ticket_id: TicketId
    ticket_url: TicketUrl
    message: str


class RenderNoteOutput(Output, frozen=True, kw_only=True):
    note: Annotated[str, msgspec.Meta(description="The 4-line note, ready for the hand-off tool.")]
    char_count: Annotated[int, msgspec.Meta(description="Its length in characters.")]
    line_count: Annotated[int, msgspec.Meta(description="Its number of lines (4).")]


class EchoOutput(msgspec.Struct, rename="camel", frozen=True):
    """The dedup keys as used (callerNumber normalised)."""

    oa_key: str | None
    caller_number: str | None


class OaHandoffOutput(Output, frozen=True, kw_only=True):
    created: Created
    ticket_id: TicketId
    ticket_url: TicketUrl
    category: Category
    escalation_reason: EscalationReason
    confidence: str | None
    echo: EchoOutput


def output_schema(struct: type[Output]) -> dict[str, Any]:
    """``struct``'s JSON schema as the tool's ``outputSchema``, references inlined."""
    return client_friendly_schema(msgspec.json.schema(struct))


# --- schema form ------------------------------------------------------------------------------


def client_friendly_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The same schema, written the way every MCP client reads it.

    Generators write a nested type as ``$ref: #/$defs/Category``, an optional argument as
    ``anyOf: [X, {type: null}]`` with ``default: null``, and add generated titles. Several clients
    (voice-agent platforms among them) handle neither ``$ref`` nor ``anyOf``, so references are
    inlined, an optional ``X | None = None`` becomes plain ``X`` (simply not required), and the
    titles of properties are dropped. A required field that may be null keeps its ``anyOf``."""
    definitions: Mapping[str, Any] = schema.get("$defs", {})

    def simplify(node: Any, *, is_property: bool = False) -> Any:
        if isinstance(node, list):
            return [simplify(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = definitions[ref.removeprefix("#/$defs/")]
            node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
        variants = node.get("anyOf")
        if isinstance(variants, list) and {"type": "null"} in variants and "default" in node:
            rest = [variant for variant in variants if variant != {"type": "null"}]
            if len(rest) == 1 and node["default"] is None:
                kept = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
                node = {**simplify(rest[0]), **kept}
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$defs" or (key == "title" and is_property):
                continue
            if key == "properties" and isinstance(value, dict):
                result[key] = {n: simplify(prop, is_property=True) for n, prop in value.items()}
            else:
                result[key] = simplify(value)
        return result

    simplified: dict[str, Any] = simplify(schema)
    return simplified
