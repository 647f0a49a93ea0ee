"""``create_mcp_server(container)``: the tools of ``tools.TOOLS`` on the SDK's low-level server.

The low-level ``Server`` lists the schemas we give it and hands each call's raw arguments to us:
they are decoded into the use case's Command by the webhook's own decoding
(``entrypoints.wire.decoding.decode``), not by a pydantic model the SDK would derive from a function
signature, so both transports accept and refuse the same values with the same words. A call
runs its row's use case and maps the Result to the row's output struct (as ``structuredContent``
plus the same JSON as text); every failure becomes an ``isError`` result carrying the HTTP
API's ``code`` (``errors.py``), so the session keeps serving.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

import msgspec
import structlog
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
    Tool,
)

from domain.errors import DomainError
from entrypoints.bootstrap.container import Container
from entrypoints.mcp.contract import output_schema, tool_names
from entrypoints.mcp.errors import domain_error_result, error_result
from entrypoints.mcp.tool_results import Execute
from entrypoints.mcp.tools import TOOLS, ToolRow, describe
from entrypoints.wire.decoding import decode, input_schema

if TYPE_CHECKING:
    from mcp.server.context import ServerRequestContext
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from mcp.server.transport_security import TransportSecuritySettings

SERVER_NAME = "helpdesk-bridge"
INSTRUCTIONS = (
    "Turns escalations into helpdesk tickets, one ticket per problem. To escalate, use the "
    "find-or-create tool (free text) or render the 4-line note and pass it to the hand-off tool "
    "(voice agents); pass oaKey and/or callerNumber so a repeated escalation finds the same "
    "ticket. Tell the user the ticketId. Add later information with the append-note tool."
)
log = structlog.get_logger("helpdesk_bridge.mcp")


@dataclass(frozen=True)
class ServedTool:
    """A row as served: its listing and its use case, resolved once."""

    row: ToolRow[Any, Any]
    listing: Tool
    execute: Execute[Any, Any]
    phone_region: str | None = None  # DEFAULT_PHONE_REGION, for decoding as the webhook does

    async def call(self, arguments: Mapping[str, Any]) -> CallToolResult:
        """Decode, run, map; one log line per call, on stderr, without argument values."""
        started = time.perf_counter()
        name = self.listing.name
        try:
            command = decode(self.row.command, arguments, phone_region=self.phone_region)
            result = await self.execute(command)
            output: dict[str, Any] = msgspec.to_builtins(self.row.to_output(result))
        except DomainError as error:
            _log_call(name, started, outcome="error", error_code=error.code)
            return domain_error_result(error)
        except Exception as error:  # a bug: the model gets the envelope, stderr the traceback
            log.error(
                "mcp.tool_unhandled_error",
                tool=name,
                error_type=type(error).__name__,
                duration_ms=_elapsed_ms(started),
                exc_info=error,
            )
            return error_result("INTERNAL_ERROR", "Internal error")
        fields = {"ticket_id": output.get("ticketId"), "created": output.get("created")}
        _log_call(name, started, outcome="ok", **{k: v for k, v in fields.items() if v is not None})
        return CallToolResult(
            content=[TextContent(type="text", text=json.dumps(output, ensure_ascii=False))],
            structured_content=output,
        )


def served_tools(container: Container, *, name_style: str | None = None) -> list[ServedTool]:
    """Every row of the table, named in ``name_style`` (default: MCP_TOOL_NAME_STYLE)."""
    settings = container.settings()
    names = tool_names(name_style or settings.mcp_tool_name_style)
    return [
        ServedTool(
            row=row,
            listing=Tool(
                name=names[row.key],
                title=row.annotations.title,
                description=describe(row, names, settings),
                input_schema=input_schema(row.command),
                output_schema=output_schema(row.output),
                annotations=row.annotations,
            ),
            execute=row.use_case(container),
            phone_region=settings.phone_region,
        )
        for row in TOOLS
    ]


def create_mcp_server(container: Container, *, name_style: str | None = None) -> Server[Any]:
    """The MCP server over ``container``'s use cases (resolved once, here).

    ``name_style`` overrides MCP_TOOL_NAME_STYLE (``underscore`` | ``dotted``).
    """
    tools = {tool.listing.name: tool for tool in served_tools(container, name_style=name_style)}
    listing = ListToolsResult(tools=[tool.listing for tool in tools.values()])

    async def list_tools(
        _context: ServerRequestContext[Any], _params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        return listing

    async def call_tool(
        _context: ServerRequestContext[Any], params: CallToolRequestParams
    ) -> CallToolResult:
        tool = tools.get(params.name)
        if tool is None:  # the spec's answer to an unknown tool is a protocol error
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {params.name}")
        return await tool.call(params.arguments or {})

    return Server(
        SERVER_NAME,
        version=_version(),
        title="Helpdesk bridge",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def session_manager_for(
    container: Container, security: TransportSecuritySettings, max_body_bytes: int
) -> StreamableHTTPSessionManager:
    """The Streamable HTTP session manager of a new server over ``container``: stateless (any
    worker answers any request) with JSON responses (one body per POST), as ``/mcp`` serves."""
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

    return StreamableHTTPSessionManager(
        app=create_mcp_server(container),
        json_response=True,
        stateless=True,
        security_settings=security,
        max_request_body_size=max_body_bytes,
    )


def _log_call(tool: str, started: float, **fields: Any) -> None:
    log.info("mcp.tool_call", tool=tool, duration_ms=_elapsed_ms(started), **fields)


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _version() -> str:
    try:
        return metadata.version("helpdesk-bridge")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"
