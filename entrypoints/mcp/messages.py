"""One JSON-RPC message from its raw bytes, or the JSON-RPC error that answers them: the one
judge of a client's message for stdio (``stdio_lines.py``) and ``/mcp`` (``http.py``).

``-32700`` (parse error) for what is not JSON; ``-32600`` (invalid request) for JSON that is no
JSON-RPC 2.0 message or nests deeper than ``MAX_MESSAGE_DEPTH``, with the request's id when it
has a usable one. The messages are fixed phrases: nothing of the input is echoed.
"""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError, jsonrpc_message_adapter

from application.inputs.json_depth import MAX_JSON_DEPTH, bytes_too_deep

MAX_MESSAGE_DEPTH = 2 * MAX_JSON_DEPTH
"""A message's own nesting bound: arguments get ``MAX_JSON_DEPTH`` (the tools refuse deeper
ones as VALIDATION_ERROR), the envelope around them a few levels more."""
log = structlog.get_logger("helpdesk_bridge.mcp")


def parse_message(data: bytes, *, logged: bool = True) -> SessionMessage | JSONRPCError:
    """The message in ``data``, or the error that answers it (logged once, unless ``logged`` is
    false: ``/mcp``'s access line says it instead)."""
    if bytes_too_deep(data, MAX_MESSAGE_DEPTH):
        message = f"Invalid request: JSON nested deeper than {MAX_MESSAGE_DEPTH} levels"
        return refused(INVALID_REQUEST, message, len(data), logged=logged)
    try:
        return SessionMessage(jsonrpc_message_adapter.validate_json(data, by_name=False))
    except ValueError:  # pydantic's ValidationError: not JSON, or not a JSON-RPC message
        pass
    try:
        document = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return refused(PARSE_ERROR, "Parse error: not a JSON text", len(data), logged=logged)
    message = "Invalid request: not a JSON-RPC 2.0 message"
    return refused(INVALID_REQUEST, message, len(data), _id_of(document), logged=logged)


def refusal_of(data: bytes) -> tuple[bytes, str] | None:
    """For ``/mcp``: nothing if ``data`` is a JSON-RPC message, else the error's JSON and its
    ``error_code`` for the access line (``MCP_PARSE_ERROR`` or ``MCP_INVALID_REQUEST``)."""
    parsed = parse_message(data, logged=False)
    if isinstance(parsed, SessionMessage):
        return None
    return parsed.model_dump_json(by_alias=True, exclude_unset=True).encode(), "MCP_" + reason_of(
        parsed
    ).upper()


def too_large_refusal(limit: int) -> tuple[bytes, str]:
    """For ``/mcp``: the JSON-RPC error of a body larger than ``limit`` (its id unread)."""
    message = f"Invalid request: body larger than {limit} bytes"
    error = refused(INVALID_REQUEST, message, limit, logged=False)
    return error.model_dump_json(by_alias=True, exclude_unset=True).encode(), "PAYLOAD_TOO_LARGE"


def _id_of(document: Any) -> str | int | None:
    """The request's id, when the document has one JSON-RPC allows (a string or an integer)."""
    if isinstance(document, dict):
        found = document.get("id")
        if isinstance(found, str | int) and not isinstance(found, bool):
            return found
    return None


def reason_of(error: JSONRPCError) -> str:
    """``parse_error`` or ``invalid_request``: the log's and the metrics' name for a refusal."""
    return "parse_error" if error.error.code == PARSE_ERROR else "invalid_request"


def refused(
    code: int,
    message: str,
    size: int,
    request_id: str | int | None = None,
    *,
    logged: bool = True,
) -> JSONRPCError:
    """The JSON-RPC error ``code``; one ``mcp.malformed_message`` line (its size, never its
    content) unless ``logged`` is false."""
    error = JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message))
    if logged:
        log.warning(
            "mcp.malformed_message",
            reason=reason_of(error),
            code=code,
            message_bytes=size,
            detail=message,
        )
    return error
