"""The tools' wire contract apart from their inputs (the use cases' Commands, read through
``entrypoints.wire.bodies``): served names, result structs (-> ``outputSchema``), annotations.

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
from entrypoints.wire.bodies import Echo, HandoffStatusBody
from entrypoints.wire.decoding import client_friendly_schema
from entrypoints.wire.ticket_status import Say as StatusSay
from entrypoints.wire.ticket_status import Tickets

# --- names ------------------------------------------------------------------------------------

CREATE_TICKET = "create_ticket"
APPEND_NOTE = "append_note"
FIND_OR_CREATE_TICKET = "find_or_create_ticket"
RENDER_NOTE = "render_note"
OA_HANDOFF = "oa_handoff"
GET_HANDOFF = "get_handoff"
GET_TICKET_STATUS = "get_ticket_status"

SPEC_NAMES: Mapping[str, str] = {
    CREATE_TICKET: "helpdesk.create_ticket",
    APPEND_NOTE: "helpdesk.append_note",
    FIND_OR_CREATE_TICKET: "helpdesk.find_or_create_ticket",
    RENDER_NOTE: "ingest.render_note",
    OA_HANDOFF: "ingest.oa_handoff",
    GET_HANDOFF: "helpdesk.get_handoff",  # not in the spec: queued hand-offs came later
    GET_TICKET_STATUS: "helpdesk.get_ticket_status",  # not in the spec: issue 13
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


def hints(
    title: str,
    *,
    read_only: bool = False,
    idempotent: bool = False,
    open_world: bool | None = None,
) -> ToolAnnotations:
    """A tool's annotations. Nothing here deletes or overwrites (never destructive); a tool that
    writes reaches the helpdesk (open world), a read-only one computes locally (closed world)
    unless ``open_world`` says it reads the helpdesk."""
    return ToolAnnotations(
        title=title,
        read_only_hint=read_only,
        destructive_hint=False,
        idempotent_hint=idempotent,
        open_world_hint=not read_only if open_world is None else open_world,
    )


# --- results ----------------------------------------------------------------------------------


class Output(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    """Base of the tool results that are the tools' own: camelCase on the wire, as the spec
    shows it. A result that is a route's body too extends that body with ``success``."""

    success: bool


ToolOutput = msgspec.Struct
"""A tool's result: an ``Output``, or a route's body with ``success``."""


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


Queued = Annotated[
    bool | None,
    msgspec.Meta(
        description="true: the helpdesk could not take it in time; it is kept and becomes a "
        "ticket when the helpdesk is back. ticketId is then the bridge's reference (HB-...): "
        "read it to the caller, they can quote it."
    ),
]


Say = Annotated[
    str,
    msgspec.Meta(
        description="One sentence you can read to the caller as it is: the ticket number (or "
        "the reference) and what happens next."
    ),
]


class FiledOutput(Output, frozen=True, kw_only=True, omit_defaults=True):
    """What the two "file this problem" tools (find-or-create, hand-off) both answer first."""

    created: Created
    ticket_id: TicketId
    ticket_url: TicketUrl
    say: Say
    queued: Queued = None


class FindOrCreateOutput(FiledOutput, frozen=True, kw_only=True):
    message: str


class RenderNoteOutput(Output, frozen=True, kw_only=True):
    note: Annotated[str, msgspec.Meta(description="The 4-line note, ready for the hand-off tool.")]
    char_count: Annotated[int, msgspec.Meta(description="Its length in characters.")]
    line_count: Annotated[int, msgspec.Meta(description="Its number of lines (4).")]


class OaHandoffOutput(FiledOutput, frozen=True, kw_only=True):
    category: Category
    escalation_reason: EscalationReason
    confidence: str | None
    echo: Annotated[
        Echo, msgspec.Meta(description="The dedup keys as used (callerNumber normalised).")
    ]


class HandoffStatusOutput(HandoffStatusBody, frozen=True, kw_only=True):
    """Where a queued hand-off is: ``GET /handoffs/{reference}``'s body, and ``success``."""

    success: bool


class TicketStatusOutput(Output, frozen=True, kw_only=True):
    """A ticket-status look-up (the same fields as ``POST /ingest/ticket-status``, ``success``
    for ``status``)."""

    tickets: Tickets
    say: StatusSay


def output_schema(struct: type[msgspec.Struct]) -> dict[str, Any]:
    """``struct``'s JSON schema as the tool's ``outputSchema``, references inlined."""
    return client_friendly_schema(msgspec.json.schema(struct))
