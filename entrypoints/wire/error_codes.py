"""The only error code -> HTTP status table, and the pause after which a retry makes sense.

Shared by both transports: the HTTP envelope answers the status and a Retry-After; an MCP tool
error carries the same ``code`` and ``retryAfter``. Framework-free, so the MCP side does not
import the HTTP stack.
"""

from __future__ import annotations

from collections.abc import Mapping

STATUS_BY_CODE: Mapping[str, int] = {
    "VALIDATION_ERROR": 400,
    "AUTH_REQUIRED": 401,
    "AUTH_FAILED": 403,
    "REPLAY_DETECTED": 403,
    "NOT_FOUND": 404,
    "TICKET_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "REQUEST_TIMEOUT": 408,
    "IDEMPOTENCY_CONFLICT": 409,
    "IDEMPOTENCY_IN_PROGRESS": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "HEADERS_TOO_LARGE": 431,
    "RATE_LIMIT_EXCEEDED": 429,
    "INTERNAL_ERROR": 500,
    "HELPDESK_BAD_RESPONSE": 502,
    "HELPDESK_UNAVAILABLE": 503,
    "STORE_UNAVAILABLE": 503,
    "DEDUP_IN_PROGRESS": 503,
    "SERVER_BUSY": 503,
}
# Failures worth an automatic retry after a short pause: say when, as Retry-After does.
RETRY_AFTER_SECONDS: Mapping[str, int] = {
    "IDEMPOTENCY_IN_PROGRESS": 1,
    "DEDUP_IN_PROGRESS": 1,
    "HELPDESK_UNAVAILABLE": 5,
    "STORE_UNAVAILABLE": 5,
    "SERVER_BUSY": 1,
}
