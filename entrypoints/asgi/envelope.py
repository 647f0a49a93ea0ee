"""The one writer of the error envelope (the code -> status table is
entrypoints/wire/error_codes.py).

Every refusal and failure of every path - the raw routes, Litestar's routes and its own 404/405 -
is answered by ``error_answer``: ``{"status":"error","code","message"}`` plus ``details`` and
``retryAfter`` where they apply, with the status from ``STATUS_BY_CODE``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException

from domain.errors import DomainError
from entrypoints.asgi.requests import RawHeaders
from entrypoints.asgi.responses import JSON, JsonResponse
from entrypoints.wire.bodies import ErrorBody
from entrypoints.wire.error_codes import RETRY_AFTER_SECONDS, STATUS_BY_CODE

_CODE_BY_HTTP_STATUS: Mapping[int, tuple[str, str]] = {
    400: ("VALIDATION_ERROR", "Bad request"),
    404: ("NOT_FOUND", "Not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    413: ("PAYLOAD_TOO_LARGE", "Request body too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json"),
}
_encode = msgspec.json.Encoder().encode


class HttpError(Exception):
    """An HTTP-level refusal (auth, replay, media type) raised before any use case runs."""

    def __init__(
        self, code: str, message: str, details: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


def error_answer(
    code: str,
    message: str,
    details: Mapping[str, object] | None = None,
    headers: RawHeaders | None = None,
    retry_after: int | None = None,
) -> JsonResponse:
    """The envelope for ``code``. ``retry_after`` (seconds) overrides the code's default pause;
    when there is one, the Retry-After header says it, and a 429's or 503's body says the same
    number (``retryAfter``), so a client reading either waits as long."""
    status = STATUS_BY_CODE.get(code, 500)
    pause = retry_after if retry_after is not None else RETRY_AFTER_SECONDS.get(code)
    all_headers = list(headers) if headers else []
    if pause is not None:
        all_headers.append((b"retry-after", str(pause).encode()))
    body = ErrorBody(
        status="error",
        code=code,
        message=message,
        details=dict(details) if details is not None else None,
        retry_after=pause if status in (429, 503) else None,
    )
    return JsonResponse(status, _encode(body), all_headers, {"error_code": code})


def refusal(error: HttpError | DomainError, headers: RawHeaders | None = None) -> JsonResponse:
    """An ``HttpError`` or a use case's ``DomainError`` as its envelope; an error that carries
    the helpdesk's own wait (``HelpdeskUnavailable.retry_after``, from its 429/503) answers it
    as the Retry-After, so the header says the number the details say."""
    return error_answer(error.code, error.message, error.details, headers, _pause(error))


def _pause(error: HttpError | DomainError) -> int | None:
    """The error's own wait in whole seconds, rounded up (never 0: "retry at once" would send
    the caller straight back into the wait); None when it has none."""
    seconds = getattr(error, "retry_after", None)
    if not isinstance(seconds, int | float):
        return None
    return max(1, math.ceil(seconds))


def internal_error(error: BaseException) -> JsonResponse:
    """A bug: logged once with its traceback (never sent), answered 500 in the envelope."""
    structlog.get_logger("helpdesk_bridge").error(
        "http.unhandled_error", error_type=type(error).__name__, exc_info=error
    )
    return error_answer("INTERNAL_ERROR", "Internal server error")


def as_response(answer: JsonResponse) -> Response[bytes]:
    """An ``JsonResponse`` for Litestar's handlers (routes and exception handlers)."""
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in answer.headers}
    return Response(answer.body, status_code=answer.status, media_type=JSON, headers=headers)


def handle_domain_error(_request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    return as_response(refusal(exc))


def handle_litestar_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    """Litestar's own refusals (404, 405, 413, ...) in our envelope, never its default shape."""
    code, message = _CODE_BY_HTTP_STATUS.get(exc.status_code, ("INTERNAL_ERROR", "Error"))
    answer = error_answer(code, message)
    if code == "INTERNAL_ERROR":
        answer.status = exc.status_code
    return as_response(answer)


def handle_unexpected(_request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    return as_response(internal_error(exc))
