"""Tool failures as ``isError`` results a model can act on, with the HTTP API's ``code`` strings.

Every failure of a tool call ends here, never as a traceback and never as a protocol error, so the
session keeps serving: a use-case error (``DomainError``: the same ``code`` as the HTTP envelope),
arguments the input schema refuses (``VALIDATION_ERROR``, details shaped as the webhook's), or a
bug (``INTERNAL_ERROR``, details only in the server's log on stderr).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from domain.errors import DomainError, InvalidInput, too_long, too_short
from domain.note import CONFIDENCE_MESSAGE
from domain.phone import E164_MESSAGE

# What a model should do next, per code (the message says what went wrong, this says what to do).
NEXT_STEP: Mapping[str, str] = {
    "VALIDATION_ERROR": "Correct the arguments named in details and call the tool again.",
    "TICKET_NOT_FOUND": (
        "Check the ticketId: use an id returned by a create or find-or-create call of this "
        "server, or create a ticket first."
    ),
    "HELPDESK_UNAVAILABLE": "The helpdesk is down or unreachable: retry in a few seconds.",
    "HELPDESK_BAD_RESPONSE": "The helpdesk answered with an error: retry later or escalate.",
    "STORE_UNAVAILABLE": "The bridge's shared store is unreachable: retry in a few seconds.",
    "DEDUP_IN_PROGRESS": "The same problem is being filed right now: retry in a second.",
    "INTERNAL_ERROR": "An unexpected error occurred in the bridge; it was logged. Retry once.",
}
# Seconds after which a retry makes sense, as the HTTP API's Retry-After / retryAfter says.
RETRY_AFTER_SECONDS: Mapping[str, int] = {
    "DEDUP_IN_PROGRESS": 1,
    "HELPDESK_UNAVAILABLE": 5,
    "STORE_UNAVAILABLE": 5,
}
# Argument-specific wording for schema refusals, matching the use cases' own messages.
_PATTERN_MESSAGES: Mapping[str, str] = {
    "callerNumber": E164_MESSAGE,
    "confidence": CONFIDENCE_MESSAGE,
}


def error_result(
    code: str, message: str, details: Mapping[str, object] | None = None
) -> CallToolResult:
    """``isError: true`` with ``{"success": false, "code", "message", "details"?, "retryAfter"?}``
    as structured content and the same JSON as text (what most clients show the model)."""
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
        structured_content=envelope,
        is_error=True,
    )


def domain_error_result(error: DomainError) -> CallToolResult:
    """A use case's refusal, with its own ``code`` (the same string the HTTP API answers)."""
    message = error.message
    if isinstance(error, InvalidInput):
        message = _summarise(error.field_errors)
    return error_result(error.code, message, error.details)


def invalid_arguments_result(error: ValidationError) -> CallToolResult:
    """Arguments the input schema refused, reported like the webhook's ``VALIDATION_ERROR``:
    ``details`` is ``{"<argument>": {"_errors": ["..."]}}`` (zod's shape, as the spec shows)."""
    field_errors: dict[str, list[str]] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        field = location[0] if location else "_errors"
        field_errors.setdefault(field, []).append(_wording(field, item))
    return domain_error_result(InvalidInput(field_errors))


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


def _summarise(field_errors: Mapping[str, list[str]]) -> str:
    """``Invalid arguments: callerNumber: ...; note: ...``: every problem in one sentence."""
    parts = [
        f"{field}: {' / '.join(messages)}" if field != "_errors" else " / ".join(messages)
        for field, messages in field_errors.items()
    ]
    return "Invalid arguments: " + "; ".join(parts)
