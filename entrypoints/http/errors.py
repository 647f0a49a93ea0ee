"""The only error -> status table, and the error envelope every failure is answered with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException

from domain.errors import DomainError
from entrypoints.boundary import ErrorBody

JSON = "application/json"

STATUS_BY_CODE: Mapping[str, int] = {
    "VALIDATION_ERROR": 400,
    "AUTH_REQUIRED": 401,
    "AUTH_FAILED": 403,
    "REPLAY_DETECTED": 403,
    "NOT_FOUND": 404,
    "TICKET_NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "IDEMPOTENCY_CONFLICT": 409,
    "IDEMPOTENCY_IN_PROGRESS": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "RATE_LIMIT_EXCEEDED": 429,
    "INTERNAL_ERROR": 500,
    "HELPDESK_BAD_RESPONSE": 502,
    "HELPDESK_UNAVAILABLE": 503,
    "STORE_UNAVAILABLE": 503,
    "DEDUP_IN_PROGRESS": 503,
}
# Failures worth an automatic retry after a short pause: say when, as Retry-After does.
RETRY_AFTER_SECONDS: Mapping[str, int] = {
    "IDEMPOTENCY_IN_PROGRESS": 1,
    "DEDUP_IN_PROGRESS": 1,
    "HELPDESK_UNAVAILABLE": 5,
    "STORE_UNAVAILABLE": 5,
}
_CODE_BY_HTTP_STATUS: Mapping[int, tuple[str, str]] = {
    400: ("VALIDATION_ERROR", "Bad request"),
    404: ("NOT_FOUND", "Not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    413: ("PAYLOAD_TOO_LARGE", "Request body too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json"),
}


class HttpError(Exception):
    """An HTTP-level refusal (auth, rate limit, media type) raised before any use case runs."""

    def __init__(
        self,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.details = details


def error_response(
    code: str,
    message: str,
    details: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[bytes]:
    """The envelope as a ready response, with ``retryAfter`` / Retry-After where they apply."""
    status = STATUS_BY_CODE.get(code, 500)
    retry_after = RETRY_AFTER_SECONDS.get(code)
    all_headers = dict(headers or {})
    if code == "RATE_LIMIT_EXCEEDED":
        retry_after = int(all_headers.get("Retry-After", "1"))
    if retry_after is not None:
        all_headers["Retry-After"] = str(retry_after)
    body = ErrorBody(
        status="error",
        code=code,
        message=message,
        details=dict(details) if details is not None else None,
        retry_after=retry_after if code == "RATE_LIMIT_EXCEEDED" else None,
    )
    return Response(
        msgspec.json.encode(body), status_code=status, media_type=JSON, headers=all_headers
    )


def domain_error_response(
    error: DomainError, headers: Mapping[str, str] | None = None
) -> Response[bytes]:
    return error_response(error.code, error.message, error.details, headers)


def handle_http_error(_request: Request[Any, Any, Any], exc: HttpError) -> Response[bytes]:
    return error_response(exc.code, exc.message, exc.details, exc.headers)


def handle_domain_error(_request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    return domain_error_response(exc)


def handle_litestar_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    """Litestar's own refusals (404, 405, 413, ...) in our envelope, never its default shape."""
    code, message = _CODE_BY_HTTP_STATUS.get(exc.status_code, ("INTERNAL_ERROR", "Error"))
    response = error_response(code, message)
    if code == "INTERNAL_ERROR":
        response.status_code = exc.status_code
    return response


def handle_unexpected(_request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """A bug: answer 500 in the envelope; the access log records it, never a traceback here."""
    import structlog

    structlog.get_logger("helpdesk_bridge").error(
        "http.unhandled_error", error_type=type(exc).__name__, exc_info=exc
    )
    return error_response("INTERNAL_ERROR", "Internal server error")
