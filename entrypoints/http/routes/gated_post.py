"""What every gated JSON ``POST`` route of the edge does around its own answer: 405 for another
method, the body read within its limit (the route decides what too large means, after the gate),
nothing sent to a client that left, and a refusal or a bug answered in the envelope - never a
traceback. The hand-off and the ticket-status routes are such routes; each writes ``_answer``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

from application.ports import Clock
from application.timing.deadline import Deadline
from domain.errors import DomainError
from entrypoints.asgi.envelope import HttpError, error_answer, internal_error, refusal
from entrypoints.asgi.requests import ClientDisconnected, Receive, Scope, Send, read_body
from entrypoints.asgi.responses import JSON, JsonResponse, LogFields

CONTENT_TYPE = b"content-type"
ALLOW_POST = [(b"allow", b"POST")]
NOT_JSON = HttpError("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")


def require_json(headers: Mapping[bytes, str]) -> None:
    """Raise 415 unless the request says its body is JSON."""
    if not headers.get(CONTENT_TYPE, "").lower().startswith(JSON):
        raise NOT_JSON


class GatedPostRoute(ABC):
    """A route whose subclass binds ``_max_body``, ``_clock`` and ``_deadline_seconds`` (the
    hand-off deadline, counted from the request's arrival: reading its body is part of it)."""

    _max_body: int
    _clock: Clock
    _deadline_seconds: float

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> LogFields | None:
        deadline = Deadline(self._clock, self._deadline_seconds)
        if scope["method"] != "POST":
            answer = error_answer("METHOD_NOT_ALLOWED", "Method not allowed", headers=ALLOW_POST)
            await answer.send(send)
            return answer.log_fields
        try:
            body, too_large = await read_body(scope, receive, self._max_body)
        except ClientDisconnected:
            return None
        try:
            answer = await self._answer(scope, body, too_large, deadline)
        except DomainError as error:  # e.g. STORE_UNAVAILABLE from the rate limiter
            answer = refusal(error)
        except Exception as error:  # a bug: the envelope, never a traceback to the client
            answer = internal_error(error)
        await answer.send(send)
        return answer.log_fields

    @abstractmethod
    async def _answer(
        self, scope: Scope, body: bytes, too_large: bool, deadline: Deadline
    ) -> JsonResponse:
        """The answer once the body is read: the gate, then the route's own work."""
