"""Tool failures as ``isError`` results a model can act on, with the HTTP API's ``code`` strings.

Every failure of a tool call ends here, never as a traceback and never as a protocol error, so the
session keeps serving: a use-case error (``DomainError``: the same ``code`` as the HTTP envelope),
refused arguments (``VALIDATION_ERROR``, details shaped as the webhook's), or a bug
(``INTERNAL_ERROR``, details only in the server's log on stderr).

The envelope travels as the result's text only, never as ``structuredContent``: the MCP spec
says structured results must conform to the tool's ``outputSchema``, and TypeScript-SDK clients
(Claude Desktop, the MCP Inspector) reject a whole result whose structured content does not, so
the model would get a protocol failure instead of the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mcp.types import CallToolResult, TextContent

from application.inputs.fields import spoken_duration
from domain.errors import DomainError, InvalidInput
from entrypoints.wire.error_codes import RETRY_AFTER_SECONDS


def _retry_in(code: str) -> str:
    return f"retry in {spoken_duration(RETRY_AFTER_SECONDS[code])}"


# What a model should do next, per code (the message says what went wrong, this says what to do).
NEXT_STEP: Mapping[str, str] = {
    "VALIDATION_ERROR": "Correct the arguments named in details and call the tool again.",
    "NOT_FOUND": (
        "Check the reference: it is the HB-XXXXXX ticketId of a queued hand-off, as the caller "
        "or a previous call of this server gave it."
    ),
    "TICKET_NOT_FOUND": (
        "Check the ticketId: use an id returned by a create or find-or-create call of this "
        "server, or create a ticket first."
    ),
    "HELPDESK_UNAVAILABLE": (
        f"The helpdesk is down or unreachable: {_retry_in('HELPDESK_UNAVAILABLE')}."
    ),
    "HELPDESK_BAD_RESPONSE": "The helpdesk answered with an error: retry later or escalate.",
    "STORE_UNAVAILABLE": (
        f"The bridge's shared store is unreachable: {_retry_in('STORE_UNAVAILABLE')}."
    ),
    "DEDUP_IN_PROGRESS": (
        f"The same problem is being filed right now: {_retry_in('DEDUP_IN_PROGRESS')}."
    ),
    "INTERNAL_ERROR": "An unexpected error occurred in the bridge; it was logged. Retry once.",
}


def error_result(
    code: str, message: str, details: Mapping[str, object] | None = None
) -> CallToolResult:
    """``isError: true`` with ``{"success": false, "code", "message", "details"?, "retryAfter"?}``
    as its JSON text (what every client shows the model)."""
    hint = NEXT_STEP.get(code)
    if hint:
        message = f"{message.rstrip('.')}. {hint}"
    envelope: dict[str, Any] = {"success": False, "code": code, "message": message}
    if details:
        envelope["details"] = dict(details)
    if code in RETRY_AFTER_SECONDS:
        envelope["retryAfter"] = RETRY_AFTER_SECONDS[code]
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(envelope, ensure_ascii=False))],
        is_error=True,
    )


MAX_PROBLEMS = 5
"""Fields an error result names; the rest are counted ("and 3 more")."""
MAX_MESSAGES_PER_FIELD = 2
MAX_MESSAGE_CHARS = 200


def domain_error_result(error: DomainError) -> CallToolResult:
    """A use case's refusal, with its own ``code`` (the same string the HTTP API answers). Refused
    arguments name the first ``MAX_PROBLEMS`` fields (each message cut to ``MAX_MESSAGE_CHARS``)
    and count the others, so the result stays within a few KiB however many arguments failed."""
    if isinstance(error, InvalidInput):
        shown, more = bounded(error.field_errors)
        return error_result(error.code, _summarise(shown, more), InvalidInput(shown).details)
    return error_result(error.code, error.message, error.details)


def bounded(field_errors: Mapping[str, list[str]]) -> tuple[dict[str, list[str]], int]:
    """The first few fields' first messages, cut to length, and how many fields were left out."""
    shown = {
        field: [_cut(message) for message in messages[:MAX_MESSAGES_PER_FIELD]]
        for field, messages in list(field_errors.items())[:MAX_PROBLEMS]
    }
    return shown, max(0, len(field_errors) - MAX_PROBLEMS)


def _cut(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_CHARS else message[:MAX_MESSAGE_CHARS] + "..."


def _summarise(field_errors: Mapping[str, list[str]], more: int = 0) -> str:
    """``Invalid arguments: callerNumber: ...; note: ...``: the problems in one sentence."""
    parts = [
        f"{field}: {' / '.join(messages)}" if field != "_errors" else " / ".join(messages)
        for field, messages in field_errors.items()
    ]
    if more:
        parts.append(f"and {more} more")
    return "Invalid arguments: " + "; ".join(parts)
