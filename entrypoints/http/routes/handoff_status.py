"""``GET /handoffs/{reference}``: where a queued hand-off is, authenticated like the webhook.

The link a queued hand-off answers with (``ticketUrl``) and what the caller can quote: queued,
delivered (with the real ticket) or dead, with attempts and the last error - never the note or
the caller's number.
"""

from __future__ import annotations

import msgspec

from application.use_cases.handoff_status import HandoffStatus, HandoffStatusCommand
from domain.errors import DomainError
from entrypoints.asgi.envelope import error_answer, internal_error, refusal
from entrypoints.asgi.gate import Gate
from entrypoints.asgi.requests import Receive, Scope, Send, read_headers
from entrypoints.asgi.responses import JsonResponse, LogFields
from entrypoints.wire.bodies import handoff_status_body
from entrypoints.wire.decoding import decode

PREFIX = "/handoffs/"
_ALLOW = [(b"allow", b"GET, HEAD")]
_encode = msgspec.json.Encoder().encode


class HandoffStatusRoute:
    """The status route, its collaborators bound once."""

    def __init__(self, gate: Gate, status: HandoffStatus) -> None:
        self._gate = gate
        self._status = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> LogFields | None:
        if scope["method"] not in ("GET", "HEAD"):
            answer = error_answer("METHOD_NOT_ALLOWED", "Method not allowed", headers=_ALLOW)
        else:
            try:
                answer = await self._answer(scope)
            except DomainError as error:  # the rate limiter's store is down
                answer = refusal(error)
            except Exception as error:  # a bug: the envelope, never a traceback
                answer = internal_error(error)
        await answer.send(send)
        return answer.log_fields

    async def _answer(self, scope: Scope) -> JsonResponse:
        allowed = await self._gate.check(scope, read_headers(scope, self._gate.headers))
        if isinstance(allowed, JsonResponse):
            return allowed
        reference = scope["path"].removeprefix(PREFIX)
        if not reference or "/" in reference:
            return error_answer("NOT_FOUND", "Not found", headers=allowed.headers)
        try:
            command = decode(HandoffStatusCommand, {"reference": reference})
            result = await self._status.execute(command)
        except DomainError as error:
            return allowed.refuse(error)
        body = _encode(handoff_status_body(result))
        return JsonResponse(200, body, allowed.headers, {"handoff_state": result.state.value})
