"""``create_mcp_server(container)``: the five tools, each a thin call of its use case.

A handler builds the use case's Command from its (schema-checked) arguments, awaits ``execute``
and maps the Result to the spec's output. Failures become ``isError`` results carrying the HTTP
API's ``code`` (see ``errors.py``); nothing escapes as a traceback, so the session keeps serving.
Argument names are camelCase because they are the wire names (the spec's).
"""

# ruff: noqa: N803  (tool parameters are the wire's camelCase argument names, e.g. callerNumber)

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping
from importlib import metadata
from typing import Annotated, Any

import structlog
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, InputRequiredResult, TextContent
from pydantic import ValidationError

from application.append_note import AppendNoteCommand
from application.create_ticket import CreateTicketCommand
from application.find_or_create_ticket import FindOrCreateTicketCommand
from application.oa_handoff import OaHandoffCommand
from application.render_note import RenderNoteCommand
from domain.errors import DomainError
from domain.taxonomy import Category, EscalationReason, Source
from entrypoints.container import Container
from entrypoints.mcp import contract as c
from entrypoints.mcp.errors import domain_error_result, error_result, invalid_arguments_result

SERVER_NAME = "helpdesk-bridge"
INSTRUCTIONS = (
    "Turns escalations into helpdesk tickets, one ticket per problem. To escalate, use the "
    "find-or-create tool (free text) or render the 4-line note and pass it to the hand-off tool "
    "(voice agents); pass oaKey and/or callerNumber so a repeated escalation finds the same "
    "ticket. Tell the user the ticketId. Add later information with the append-note tool."
)
log = structlog.get_logger("helpdesk_bridge.mcp")

Answer = Callable[[], Awaitable[Mapping[str, Any]]]


class BridgeMCPServer(MCPServer[Any]):
    """MCPServer whose argument refusals carry ``code: VALIDATION_ERROR`` like every other error.

    The SDK checks arguments against the input schema before a handler runs and answers a bare
    text error; here that refusal is reported in the bridge's envelope, per argument."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            cause = error.__cause__
            if isinstance(cause, ValidationError) and not isinstance(error, UnexpectedToolError):
                log.info("mcp.tool_call", tool=name, outcome="error", error_code="VALIDATION_ERROR")
                return invalid_arguments_result(cause)
            raise


def create_mcp_server(container: Container, *, name_style: str | None = None) -> MCPServer[Any]:
    """The MCP server over ``container``'s use cases (resolved once, here).

    ``name_style`` overrides MCP_TOOL_NAME_STYLE (``underscore`` | ``dotted``). Call
    ``configure_logging`` before this: the SDK configures stdlib logging when none is set.
    """
    settings = container.settings()
    names = c.tool_names(name_style or settings.mcp_tool_name_style)
    descriptions = c.descriptions(names)
    annotations = c.tool_annotations()
    handlers = _handlers(container, names)
    tools = []
    for key, handler in handlers.items():
        tool = Tool.from_function(
            handler,
            name=names[key],
            title=annotations[key].title,
            description=descriptions[key],
            annotations=annotations[key],
        )
        tool.parameters = client_friendly_schema(tool.parameters)
        output = tool.fn_metadata.output_schema
        if output is not None:
            tool.fn_metadata.output_schema = client_friendly_schema(output)
        tools.append(tool)
    return BridgeMCPServer(
        SERVER_NAME,
        title="Helpdesk bridge",
        instructions=INSTRUCTIONS,
        version=_version(),
        tools=tools,
    )


def _handlers(container: Container, names: Mapping[str, str]) -> dict[str, Callable[..., Any]]:
    create = container.create_ticket()
    append = container.append_note()
    find_or_create = container.find_or_create_ticket()
    render = container.render_note()
    handoff = container.oa_handoff(default_source=Source.MCP)

    async def create_ticket(
        description: c.Description,
        category: c.CategoryArg = None,
        escalationReason: c.ReasonArg = None,
        callerNumber: c.CallerNumberArg = None,
        source: c.SourceArg = None,
        metadata: c.MetadataArg = None,
    ) -> Annotated[CallToolResult, c.CreateTicketOutput]:
        async def run() -> c.CreateTicketOutput:
            result = await create.execute(
                CreateTicketCommand(
                    description=description,
                    category=category,
                    escalation_reason=escalationReason,
                    caller_number=callerNumber,
                    source=source,
                    metadata=metadata,
                )
            )
            return {
                "success": True,
                "ticketId": result.ticket.id,
                "ticketUrl": result.ticket.url,
                "category": result.problem.category,
                "escalationReason": result.problem.reason,
            }

        return await _answer(names[c.CREATE_TICKET], run)

    async def append_note(
        ticketId: c.TicketIdArg, note: c.NoteTextArg, author: c.AuthorArg = None
    ) -> Annotated[CallToolResult, c.AppendNoteOutput]:
        async def run() -> c.AppendNoteOutput:
            result = await append.execute(
                AppendNoteCommand(ticket_id=ticketId, note=note, author=author)
            )
            return {
                "success": True,
                "message": "Note appended successfully",
                "ticketId": result.ticket_id,
            }

        return await _answer(names[c.APPEND_NOTE], run)

    async def find_or_create_ticket(
        description: c.Description,
        category: c.CategoryArg = None,
        escalationReason: c.ReasonArg = None,
        confidence: c.ConfidenceArg = None,
        callerNumber: c.CallerNumberArg = None,
        oaKey: c.OaKeyArg = None,
        source: c.SourceArg = None,
    ) -> Annotated[CallToolResult, c.FindOrCreateOutput]:
        async def run() -> c.FindOrCreateOutput:
            result = await find_or_create.execute(
                FindOrCreateTicketCommand(
                    description=description,
                    **_problem_fields(
                        category, escalationReason, confidence, callerNumber, oaKey, source
                    ),
                )
            )
            return {
                "success": True,
                "created": result.created,
                "ticketId": result.ticket.id,
                "ticketUrl": result.ticket.url,
                "message": "New ticket created"
                if result.created
                else "Existing ticket found (deduplication)",
            }

        return await _answer(names[c.FIND_OR_CREATE_TICKET], run)

    async def render_note(
        category: c.RequiredCategoryArg,
        escalationReason: c.RequiredReasonArg,
        summary: c.SummaryArg,
        confidence: c.RequiredConfidenceArg,
    ) -> Annotated[CallToolResult, c.RenderNoteOutput]:
        async def run() -> c.RenderNoteOutput:
            result = await render.execute(
                RenderNoteCommand(
                    category=category,
                    escalation_reason=escalationReason,
                    summary=summary,
                    confidence=confidence,
                )
            )
            return {
                "success": True,
                "note": result.note,
                "charCount": result.char_count,
                "lineCount": result.line_count,
            }

        return await _answer(names[c.RENDER_NOTE], run)

    async def oa_handoff(
        note: c.HandoffNoteArg,
        category: c.CategoryArg = None,
        escalationReason: c.ReasonArg = None,
        confidence: c.ConfidenceArg = None,
        callerNumber: c.CallerNumberArg = None,
        oaKey: c.OaKeyArg = None,
        source: c.SourceArg = None,
    ) -> Annotated[CallToolResult, c.OaHandoffOutput]:
        async def run() -> c.OaHandoffOutput:
            result = await handoff.execute(
                OaHandoffCommand(
                    note=note,
                    **_problem_fields(
                        category, escalationReason, confidence, callerNumber, oaKey, source
                    ),
                )
            )
            return {
                "success": True,
                "created": result.created,
                "ticketId": result.ticket.id,
                "ticketUrl": result.ticket.url,
                "category": result.problem.category,
                "escalationReason": result.problem.reason,
                "confidence": result.problem.confidence,
                "echo": {
                    "oaKey": result.problem.oa_key,
                    "callerNumber": result.problem.caller_number,
                },
            }

        return await _answer(names[c.OA_HANDOFF], run)

    return {
        c.CREATE_TICKET: create_ticket,
        c.APPEND_NOTE: append_note,
        c.FIND_OR_CREATE_TICKET: find_or_create_ticket,
        c.RENDER_NOTE: render_note,
        c.OA_HANDOFF: oa_handoff,
    }


async def _answer(tool: str, run: Answer) -> CallToolResult:
    """Run one tool body: its output as structured content (and the same JSON as text), or its
    failure as an ``isError`` result. One log line per call, on stderr, without argument values."""
    started = time.perf_counter()
    try:
        output = dict(await run())
    except DomainError as error:
        log.info(
            "mcp.tool_call",
            tool=tool,
            outcome="error",
            error_code=error.code,
            duration_ms=_elapsed_ms(started),
        )
        return domain_error_result(error)
    except Exception as error:  # a bug: the model gets the envelope, stderr gets the traceback
        log.error(
            "mcp.tool_unhandled_error",
            tool=tool,
            error_type=type(error).__name__,
            duration_ms=_elapsed_ms(started),
            exc_info=error,
        )
        return error_result("INTERNAL_ERROR", "Internal error")
    facts = {"ticket_id": output.get("ticketId"), "created": output.get("created")}
    log.info(
        "mcp.tool_call",
        tool=tool,
        outcome="ok",
        duration_ms=_elapsed_ms(started),
        **{key: value for key, value in facts.items() if value is not None},
    )
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(output, ensure_ascii=False))],
        structured_content=output,
    )


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _version() -> str:
    try:
        return metadata.version("helpdesk-bridge")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def client_friendly_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, written the way every MCP client reads it.

    pydantic writes an optional enum argument as ``anyOf: [{$ref: #/$defs/Category},
    {type: null}]`` with generated titles. Several clients (voice-agent platforms among them)
    handle neither ``$ref`` nor ``anyOf``, so: ``$ref``s are inlined, ``X | None = None`` becomes
    plain ``X`` (the argument is simply not required; an explicit null is still accepted), and
    the generated per-property titles are dropped. Validation is unchanged: it uses the model.
    """
    definitions = schema.get("$defs", {})

    def simplify(node: Any, *, is_property: bool = False) -> Any:
        if isinstance(node, list):
            return [simplify(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = dict(definitions[ref.removeprefix("#/$defs/")])
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        variants = node.get("anyOf")
        if isinstance(variants, list) and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            if len(rest) == 1 and node.get("default", ...) is None:
                node = {**{k: v for k, v in node.items() if k not in ("anyOf", "default")}}
                node = {**simplify(rest[0]), **node}
        result = {}
        for key, value in node.items():
            if key == "$defs" or (key == "title" and is_property):
                continue
            if key == "properties" and isinstance(value, dict):
                result[key] = {
                    name: simplify(prop, is_property=True) for name, prop in value.items()
                }
            else:
                result[key] = simplify(value)
        return result

    simplified: dict[str, Any] = simplify(schema)
    return simplified


def _problem_fields(
    category: Category | None,
    escalation_reason: EscalationReason | None,
    confidence: str | None,
    caller_number: str | None,
    oa_key: str | None,
    source: str | None,
) -> dict[str, Any]:
    """The shared optional fields (``ProblemFields``) of the two "file this problem" tools."""
    return {
        "category": category,
        "escalation_reason": escalation_reason,
        "confidence": confidence,
        "caller_number": caller_number,
        "oa_key": oa_key,
        "source": source,
    }
