"""structlog set-up: JSON (or console) lines on stderr, with secrets and PII redacted.

stdout is left alone on purpose: in ``helpdesk-bridge mcp`` it carries the MCP protocol.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

REDACTED = "[REDACTED]"

# Keys whose values never reach a log line, whatever their content (compared lower-case, with
# "-" and "_" removed, so callerNumber, caller_number and x-auth-token all match).
SENSITIVE_KEYS = frozenset(
    {
        "callernumber",
        "caller",
        "phone",
        "note",
        "description",
        "summary",
        "body",
        "content",
        "text",
        "xauthtoken",
        "authtoken",
        "authorization",
        "xsignature",
        "signature",
        "webhooksecret",
        "secret",
        "token",
        "password",
        "apikey",
        "helpdeskapikey",
        "oauthtoken",
        "cookie",
    }
)
# Phone numbers inside free text (an error message, a URL): E.164, or NANP-style groups.
_PHONE_IN_TEXT = re.compile(r"\+\d{7,15}\b|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b")
_NEVER_REDACTED = frozenset({"timestamp", "level", "logger", "request_id"})


def _normal(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "")


def redact(value: Any, key: str | None = None) -> Any:
    """Return ``value`` with sensitive keys replaced and phone-like digits masked, recursively."""
    if key is not None and _normal(key) in SENSITIVE_KEYS:
        return REDACTED
    if isinstance(value, str):
        return _PHONE_IN_TEXT.sub(REDACTED, value)
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def redact_processor(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: runs before the renderer so nothing sensitive is ever rendered."""
    for key in list(event_dict):
        if key in _NEVER_REDACTED:
            continue
        # The event of a stdlib logger is free text: mask phones in it, keep the words.
        event_dict[key] = redact(event_dict[key], None if key == "event" else key)
    return event_dict


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """Configure structlog and route stdlib loggers (uvicorn, mcp, httpx) through it."""
    numeric = logging.getLevelName(level.upper())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared[:-1], structlog.stdlib.add_logger_name, redact_processor],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    for name in ("uvicorn", "uvicorn.error", "mcp", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # we write our own access line
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry full URLs
