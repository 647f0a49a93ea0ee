"""The gate every authenticated route passes: authentication, the per-client rate limit, and the
replay guard for signed requests.

One implementation for the webhook, ``/mcp`` and every route added later, so they agree on the
order of refusals (429, then a body too large, then who is calling, then a replayed
signature), on the RateLimit-* headers carried by every answer (refusals included), and on a 429
whose Retry-After header and ``retryAfter`` body say the same number.
"""

from __future__ import annotations

from collections.abc import Mapping

from application.ports import RateDecision, RateLimiter, ReplayGuard
from domain.errors import DomainError
from entrypoints.asgi.auth import AuthScheme
from entrypoints.asgi.envelope import HttpError, error_answer, refusal
from entrypoints.asgi.requests import RawHeaders, Scope, client_ip
from entrypoints.asgi.responses import JsonResponse, encode_headers


def rate_headers(decision: RateDecision) -> RawHeaders:
    """The RateLimit-* headers (IETF draft: reset in seconds)."""
    return [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(decision.reset_seconds).encode()),
    ]


def rate_limited(decision: RateDecision, limits: RawHeaders) -> JsonResponse:
    """The 429 for a caller over its budget: Retry-After and the body's ``retryAfter`` agree."""
    return error_answer(
        "RATE_LIMIT_EXCEEDED",
        f"Too many requests. Rate limit: {decision.limit} requests per second",
        headers=limits,
        retry_after=decision.reset_seconds,
    )


class AllowedRequest:
    """A caller let through: who it is, and the headers every answer to it carries."""

    __slots__ = ("client", "headers")

    def __init__(self, client: str, headers: RawHeaders) -> None:
        self.client = client
        self.headers = headers

    def refuse(self, error: HttpError | DomainError) -> JsonResponse:
        """A refusal after the gate (validation, a conflict, a use case's error) with this
        caller's headers."""
        return refusal(error, self.headers)


class Gate:
    """Let a request in, or answer why not. Built once per route, at start-up."""

    def __init__(
        self,
        scheme: AuthScheme,
        limiter: RateLimiter,
        replays: ReplayGuard | None = None,
    ) -> None:
        self._scheme = scheme
        self._limiter = limiter
        self._replays = replays
        self._challenge = encode_headers(scheme.challenge)
        self.headers = scheme.headers
        """The request headers the scheme reads (a route reads them in its one pass)."""

    async def check(
        self,
        scope: Scope,
        headers: Mapping[bytes, str],
        body: bytes = b"",
        *,
        too_large: bool = False,
    ) -> AllowedRequest | JsonResponse:
        """An ``AllowedRequest``, or the ``JsonResponse`` refusing the request (with its headers).

        ``too_large``: the route did not read a body over its limit; that is answered 413 to an
        allowed caller before authentication, because a signature over a body that was never
        read cannot be checked (a signed but oversized request must hear "too large")."""
        auth = self._scheme.check(headers, body, client_ip(scope))
        decision = await self._limiter.hit(auth.client)
        limits = rate_headers(decision)
        if not decision.allowed:
            return rate_limited(decision, limits)
        if too_large:
            return error_answer("PAYLOAD_TOO_LARGE", "Request body too large", headers=limits)
        if auth.error is not None:
            return refusal(auth.error, [*limits, *self._challenge])
        if (
            auth.signature is not None
            and self._replays is not None
            and not await self._replays.first_use(auth.signature, auth.replay_seconds)
        ):
            return error_answer(
                "REPLAY_DETECTED", "Signature already used (replay refused)", headers=limits
            )
        return AllowedRequest(auth.client, limits)
