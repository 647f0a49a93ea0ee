"""The tool table: one row per tool, everything the server needs to list and call it.

A new tool is one ``ToolRow`` in ``TOOLS``: its key (-> served name), description template,
annotations, the use case's Command (-> input schema and argument decoding), the output struct
(-> ``outputSchema``), the use case it runs, and the mapping of its Result to that output.

Descriptions are templates filled by ``describe``: ``{name.<key>}`` is another tool's served
name, and windows and limits come from settings and the domain's constants, never literals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from mcp.types import ToolAnnotations

from application.inputs.fields import spoken_duration
from application.use_cases.append_note import AppendNoteCommand
from application.use_cases.create_ticket import CreateTicketCommand
from application.use_cases.find_or_create_ticket import FindOrCreateTicketCommand
from application.use_cases.handoff_status import HandoffStatusCommand
from application.use_cases.oa_handoff import OaHandoffCommand
from application.use_cases.render_note import RenderNoteCommand
from application.use_cases.ticket_status import MAX_CALLER_TICKETS, TicketStatusCommand
from domain.note import (
    FREE_TEXT_MAX_CHARS,
    FREE_TEXT_MIN_CHARS,
    NOTE_MAX_CHARS,
    SUMMARY_MAX_CHARS,
)
from domain.taxonomy import Source
from entrypoints.bootstrap.container import Container
from entrypoints.config.settings import Settings
from entrypoints.mcp import contract as c
from entrypoints.mcp.tool_results import (
    Execute,
    append_note_output,
    create_ticket_output,
    filing,
    find_or_create_output,
    get_handoff_output,
    oa_handoff_output,
    render_note_output,
    ticket_status_output,
    within_deadline,
)
from entrypoints.wire.error_codes import RETRY_AFTER_SECONDS

CommandT = TypeVar("CommandT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class ToolRow(Generic[CommandT, ResultT]):
    """One tool. ``use_case`` resolves the use case's ``execute`` from the container (once, when
    the server is built); ``to_output`` maps its Result to the tool's output struct."""

    key: str
    description: str
    annotations: ToolAnnotations
    command: type[CommandT]
    output: type[c.ToolOutput]
    use_case: Callable[[Container], Execute[CommandT, ResultT]]
    to_output: Callable[[ResultT], c.ToolOutput]


ERRORS = (
    " On failure the result has isError=true and its text is the JSON {{success:false, code, "
    "message, details}}: code VALIDATION_ERROR (fix the arguments named in details), "
    "HELPDESK_UNAVAILABLE (retry after retryAfter seconds)"
)
DEDUP_ERRORS = ERRORS + ", DEDUP_IN_PROGRESS (retry in {dedup_retry})."

TOOLS: tuple[ToolRow[Any, Any], ...] = (
    ToolRow(
        key=c.CREATE_TICKET,
        description=(
            "Open a NEW helpdesk ticket for a caller's problem, always, without looking for an "
            "existing one. Use it only when the user explicitly wants a separate ticket; "
            "otherwise use {name.find_or_create_ticket}, which avoids duplicates. Category and "
            "escalationReason are inferred from the description ({free_text} characters) when "
            "omitted. Returns ticketId and ticketUrl (tell the user the id) plus the category "
            "and reason used. Not idempotent: every call files another ticket." + ERRORS + "."
        ),
        annotations=c.hints("Create a new ticket"),
        command=CreateTicketCommand,
        output=c.CreateTicketOutput,
        use_case=lambda container: container.create_ticket().execute,
        to_output=create_ticket_output,
    ),
    ToolRow(
        key=c.APPEND_NOTE,
        description=(
            "Add a follow-up note ({free_text} characters) to an existing ticket (internal; the "
            "customer is not e-mailed): new facts, what was tried, a callback. Use the ticketId "
            "returned by {name.create_ticket}, {name.find_or_create_ticket} or "
            "{name.oa_handoff}. Returns success and the ticketId. Each call adds one note: do "
            "not repeat a call that succeeded." + ERRORS + ", TICKET_NOT_FOUND (unknown ticketId)."
        ),
        annotations=c.hints("Append a note to a ticket"),
        command=AppendNoteCommand,
        output=c.AppendNoteOutput,
        use_case=lambda container: container.append_note().execute,
        to_output=append_note_output,
    ),
    ToolRow(
        key=c.FIND_OR_CREATE_TICKET,
        description=(
            "The default way to escalate a problem to a human: returns the caller's open ticket "
            "for the same problem if there is one (same oaKey, else same callerNumber + "
            "category, within {dedup_window}), else files a new one. Pass oaKey and/or "
            "callerNumber so duplicates are caught; with them a retry returns the same ticket. "
            "Returns created (false = existing ticket found), ticketId, ticketUrl, say (a "
            "sentence to read to the caller as it is) and a message. If created is false and "
            "you have new information, add it with {name.append_note}." + DEDUP_ERRORS
        ),
        annotations=c.hints("Find or create the ticket for a problem"),
        command=FindOrCreateTicketCommand,
        output=c.FindOrCreateOutput,
        use_case=lambda container: filing(container, container.find_or_create_ticket().execute),
        to_output=find_or_create_output,
    ),
    ToolRow(
        key=c.RENDER_NOTE,
        description=(
            "Format the 4-line hand-off note (Category / Reason / Summary / Confidence) from its "
            "parts, checking the limits (summary one line <= {summary_max} characters, "
            'confidence "0.0"-"1.0", note <= {note_max} characters). Read-only: files nothing. '
            "Returns the note, its charCount and lineCount; pass the note to {name.oa_handoff}. "
            "On invalid parts: isError=true, code VALIDATION_ERROR with details per argument."
        ),
        annotations=c.hints("Render the 4-line hand-off note", read_only=True, idempotent=True),
        command=RenderNoteCommand,
        output=c.RenderNoteOutput,
        use_case=lambda container: container.render_note().execute,
        to_output=render_note_output,
    ),
    ToolRow(
        key=c.OA_HANDOFF,
        description=(
            "Hand the caller over to a human (the same as the bridge's webhook) with a 4-line "
            "note (at most {note_max} characters, e.g. from {name.render_note}), or with summary "
            "(one line, at most {summary_max} characters) plus category, escalationReason and "
            "confidence instead of the note: the bridge then writes the note. Finds the "
            "caller's open ticket for the same problem (oaKey, else callerNumber + category, "
            "within {dedup_window}) or files a new one. Explicit category / escalationReason / "
            "confidence override the note's lines. Returns created, ticketId, ticketUrl, the "
            "category, escalationReason and confidence used, echo {{oaKey, callerNumber}}, and "
            "say: a sentence to read to the caller as it is." + DEDUP_ERRORS
        ),
        annotations=c.hints("Hand the caller over (note -> ticket)"),
        command=OaHandoffCommand,
        output=c.OaHandoffOutput,
        use_case=lambda container: filing(
            container, container.oa_handoff(default_source=Source.MCP).execute
        ),
        to_output=oa_handoff_output,
    ),
    ToolRow(
        key=c.GET_HANDOFF,
        description=(
            "Look up a queued hand-off by the reference (HB-XXXXXX) that {name.oa_handoff} or "
            "{name.find_or_create_ticket} returned as ticketId with queued: true (when the "
            "helpdesk could not take it in time), or that a caller quotes. Returns its state: "
            "queued (still waiting for the helpdesk; attempts and lastError say why), delivered "
            "(ticketId and ticketUrl are then the real ticket: tell the caller that number) or "
            "dead (not delivered within the outbox's age limit; an operator sees it). Read-only."
            " On failure: isError=true, code NOT_FOUND (no such reference) or VALIDATION_ERROR."
        ),
        annotations=c.hints("Look up a queued hand-off", read_only=True, idempotent=True),
        command=HandoffStatusCommand,
        output=c.HandoffStatusOutput,
        use_case=lambda container: container.handoff_status().execute,
        to_output=get_handoff_output,
    ),
    ToolRow(
        key=c.GET_TICKET_STATUS,
        description=(
            "Tell a caller who rings back what happened to their tickets. By callerNumber: "
            "their tickets that are not closed, newest first, at most {caller_tickets}. By "
            "ticketId: that one ticket, whatever its state - a ticket number, or the HB-XXXXXX "
            "reference a queued hand-off was given by {name.oa_handoff} or "
            "{name.find_or_create_ticket}. Give at least one (with both, ticketId is used). "
            "Returns tickets [{{ticketId, ticketUrl, state, subject, createdAt, updatedAt}}], "
            "state one of open, pending (waiting for the caller's reply), solved, closed, queued "
            "(received, not yet a ticket), and say: one or two sentences to read to the caller "
            "(numbers, states, when they last changed; never the subject). Nothing found is "
            "not an error: tickets is empty and say tells the caller. Read-only." + ERRORS + "."
        ),
        annotations=c.hints(
            "Look up a caller's tickets", read_only=True, idempotent=True, open_world=True
        ),
        command=TicketStatusCommand,
        output=c.TicketStatusOutput,
        use_case=lambda container: within_deadline(container, container.ticket_status().execute),
        to_output=ticket_status_output,
    ),
)


class _Names:
    """``{name.<key>}`` in a template: the served name of the tool ``<key>``."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = names

    def __getattr__(self, key: str) -> str:
        return self._names[key]


def describe(row: ToolRow[Any, Any], names: Mapping[str, str], settings: Settings) -> str:
    """``row``'s description with names, windows and limits filled in."""
    return row.description.format(
        name=_Names(names),
        dedup_window=spoken_duration(settings.dedup_ttl_seconds),
        dedup_retry=spoken_duration(RETRY_AFTER_SECONDS["DEDUP_IN_PROGRESS"]),
        free_text=f"{FREE_TEXT_MIN_CHARS}-{FREE_TEXT_MAX_CHARS}",
        summary_max=SUMMARY_MAX_CHARS,
        note_max=NOTE_MAX_CHARS,
        caller_tickets=MAX_CALLER_TICKETS,
    )
