"""structlog set-up: JSON (or console) lines on stderr, with secrets and PII redacted.

stdout is left alone on purpose: in ``helpdesk-bridge mcp`` it carries the MCP protocol.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import time
from collections.abc import MutableMapping
from typing import Any

import msgspec
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
# Fields our own code fills with fixed vocabulary (a route name, an HTTP method): no text to mask.
_NEVER_REDACTED = frozenset({"timestamp", "level", "logger", "request_id", "route", "method"})


# Values of these types carry no text to mask: only their key can make them sensitive.
_PLAIN_TYPES = (int, float, bool, type(None))
_SENSITIVE_MEMO_MAX = 4096


def _normal(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "")


@functools.lru_cache(maxsize=_SENSITIVE_MEMO_MAX)
def _is_sensitive(key: str) -> bool:
    """Whether a key is sensitive, memoised: log keys are a small fixed set named in the code,
    so each is normalised once instead of on every line it appears in (bounded, in case some
    caller logs keys taken from input)."""
    return _normal(key) in SENSITIVE_KEYS


def redact(value: Any, key: str | None = None) -> Any:
    """Return ``value`` with sensitive keys replaced and phone-like digits masked, recursively."""
    if key is not None and _is_sensitive(key):
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
    for key, value in list(event_dict.items()):
        if key in _NEVER_REDACTED:
            continue
        if key == "event":  # the event of a stdlib logger is free text: mask phones, keep words
            event_dict[key] = redact(value)
        elif _is_sensitive(key):
            event_dict[key] = REDACTED
        elif type(value) is str:
            event_dict[key] = _PHONE_IN_TEXT.sub(REDACTED, value)
        elif not isinstance(value, _PLAIN_TYPES):  # numbers and flags pass as they are
            event_dict[key] = redact(value)
    return event_dict


def _json_fallback(value: Any) -> Any:
    """What ``json.dumps(default=...)`` in structlog's renderer did for unknown types."""
    return repr(value)


_json_encoder = msgspec.json.Encoder(enc_hook=_json_fallback)


def render_json(event_dict: Any, **_kwargs: Any) -> str:
    """structlog's JSON serializer: msgspec (it renders the per-request access line for less
    than ``json.dumps``), with the standard library as fallback for what msgspec refuses
    (non-string keys)."""
    try:
        return _json_encoder.encode(event_dict).decode()
    except (TypeError, ValueError, msgspec.EncodeError):
        return json.dumps(event_dict, default=_json_fallback)


class UtcTimestamper:
    """structlog's ``TimeStamper(fmt="iso", utc=True)`` output (``2026-11-30T05:21:12.304238Z``)
    with the date and time formatted once per second instead of once per line: the access line
    is written for every request, and a datetime round trip per line is a cost it need not pay."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(
        self, _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        event_dict["timestamp"] = f"{self._prefix}.{int((now - second) * 1_000_000):06d}Z"
        return event_dict


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """Configure structlog and route stdlib loggers (uvicorn, mcp, httpx) through it."""
    numeric = logging.getLevelName(level.upper())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        UtcTimestamper(),
        structlog.processors.format_exc_info,
        redact_processor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=render_json)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
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
        # Libraries' DEBUG lines dump whole messages (the MCP SDK logs every JSON-RPC message,
        # note text included): LOG_LEVEL=debug is for our own events, never theirs.
        logger.setLevel(max(numeric, logging.INFO))
    logging.getLogger("uvicorn.access").disabled = True  # we write our own access line
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry full URLs
    # The SDK logs "Terminating session" for every stateless /mcp request: noise below debug.
    quiet = logging.WARNING if numeric > logging.DEBUG else logging.NOTSET
    logging.getLogger("mcp.server.streamable_http").setLevel(quiet)
