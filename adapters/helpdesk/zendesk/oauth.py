"""Zendesk OAuth client credentials as an ``httpx.Auth``: the bearer token that replaces API
tokens (Zendesk stops them working on 2027-04-30; docs/helpdesks.md has the dates).

The token comes from ``POST {HELPDESK_API_URL}/oauth/tokens`` with JSON ``{"grant_type":
"client_credentials", "client_id", "client_secret", "scope"}``, answered ``{"access_token",
"token_type": "bearer", "scope", "expires_in"}`` (clients made since 2026-04-30 issue tokens for
30 minutes by default; older ones tokens without expiry, so ``expires_in`` may be missing).

- The token is fetched on first use, cached, and renewed shortly before it expires (60 s
  before, or a fifth of a short lifetime); a request answered 401 (a token revoked or expired
  early) renews it once and is sent again. A second 401 is the answer.
- One renewal is in flight per instance however many requests wait: they all share its result
  (the leader's cancellation does not cancel it). A failed renewal while the old token is still
  valid keeps the old one and tries again ``RETRY_RENEWAL_SECONDS`` later.
- Failures are the application's: when the token endpoint is unreachable, slow, 429 or 5xx, the
  request itself was never sent, so it fails as an ``AttemptFailed`` that did not land - the
  ``Resilience`` around the call retries, backs off, honours Retry-After and counts it for the
  circuit like any other attempt. A refusal (400/401/403: an unknown client, a wrong secret, a
  scope it may not have) is ``HelpdeskUnavailable`` at once, logged as ``helpdesk.oauth_refused``
  with the status, Zendesk's error code and the client id. Either way the gateway's health (what
  ``/readyz`` reads) turns unhealthy.
- The secret and the tokens are never logged and never in a repr.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import httpx
import structlog

from adapters.helpdesk.resilience.attempt import AttemptFailed
from adapters.helpdesk.resilience.policy import retry_after_seconds
from application.errors import HelpdeskUnavailable

TOKEN_PATH = "/oauth/tokens"  # noqa: S105 - a URL path, not a password
DEFAULT_SCOPES = "read write"
RENEW_MARGIN_SECONDS = 60.0
RENEW_MARGIN_SHARE = 0.2
"""A token is renewed this long before it expires: 60 s, or a fifth of a shorter lifetime."""
RETRY_RENEWAL_SECONDS = 10.0
"""After a failed renewal, the old (still valid) token is used this long before trying again."""
_ERROR_CODE = re.compile(r"^[a-z_]{1,64}$")
_NO_AUTH = httpx.Auth()  # the token request itself carries the client's secret, no bearer


@dataclass(frozen=True, slots=True)
class ClientSecret:
    """An OAuth client of the Zendesk account: its identifier (Admin Center > Apps and
    integrations > APIs > OAuth clients), its secret and the scopes its tokens ask for."""

    client_id: str
    secret: str = field(repr=False)
    scopes: str = DEFAULT_SCOPES

    def grant(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.secret,
            "scope": self.scopes,
        }


@dataclass(frozen=True, slots=True)
class _Token:
    value: str = field(repr=False)
    renew_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class _Failure:
    """A renewal that got no token; every request waiting on it raises its own copy.
    ``refused``: the token endpoint answered and will not give one (no use retrying)."""

    reason: str
    _: KW_ONLY
    refused: bool = False
    status: int | None = None
    retry_after: float | None = None
    error: str | None = None

    def exception(self) -> Exception:
        if not self.refused:
            return AttemptFailed(
                self.reason, landed=False, retry_after=self.retry_after, status=self.status
            )
        details: dict[str, object] = {"operation": "oauth_token", "reason": self.reason}
        details |= {"status": self.status} if self.status is not None else {}
        details |= {"error": self.error} if self.error else {}
        message = (
            "The helpdesk refused the bridge's OAuth client (check HELPDESK_OAUTH_CLIENT_ID, "
            "HELPDESK_OAUTH_CLIENT_SECRET and HELPDESK_OAUTH_SCOPES)"
            if self.reason == "oauth_refused"
            else "The helpdesk's token endpoint answered without a usable bearer token"
        )
        return HelpdeskUnavailable(message, details)


class ClientCredentials(httpx.Auth):
    """Bearer tokens of one OAuth client for the requests of one ``httpx.AsyncClient``.

    ``install(client)`` makes it the client's auth and the client it fetches tokens with (with
    that client's base URL, timeouts and headers, and without this auth). ``clock`` is a
    monotonic seconds source (injectable: tests expire tokens without sleeping).
    """

    requires_request_body = True  # a request sent again after a 401 needs its body

    def __init__(
        self, credentials: ClientSecret, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._token: _Token | None = None
        self._renewal: asyncio.Task[_Token | _Failure] | None = None

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self._credentials.client_id!r})"

    def install(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        client.auth = self
        self._client = client
        return client

    @property
    def client_id(self) -> str:
        return self._credentials.client_id

    def rotate(self, credentials: ClientSecret) -> None:
        """Use ``credentials`` from the next renewal on (a SIGHUP after the secret was rotated).
        The token in use stays until it is due, or refused: Zendesk issued it, and requests in
        flight or arriving meanwhile keep working with it."""
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("ClientCredentials works with httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._current()
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code != 401:
            return
        renewed = await self._renewed(stale=token)
        request.headers["Authorization"] = f"Bearer {renewed.value}"
        yield request

    async def _current(self) -> _Token:
        """The cached token while it is not due; else a renewal's, or the old one while it is
        still valid and the renewal failed."""
        token = self._token
        if token is not None and self._clock() < token.renew_at:
            return token
        try:
            return await self._renewed(stale=token)
        except (AttemptFailed, HelpdeskUnavailable):
            now = self._clock()
            if token is None or token is not self._token or now >= token.expires_at:
                raise
            retry_at = min(now + RETRY_RENEWAL_SECONDS, token.expires_at)
            self._token = _Token(token.value, retry_at, token.expires_at)
            return token

    async def _renewed(self, stale: _Token | None) -> _Token:
        """A token other than ``stale``: one another request renewed meanwhile, or this one's
        renewal (shared with every request that asks while it runs)."""
        current = self._token
        if current is not None and current is not stale and self._clock() < current.renew_at:
            return current
        if self._renewal is None:
            self._renewal = asyncio.ensure_future(self._fetch())
        outcome = await asyncio.shield(self._renewal)
        if isinstance(outcome, _Failure):
            raise outcome.exception()
        return outcome

    async def _fetch(self) -> _Token | _Failure:
        try:
            outcome = await self._ask()
            if isinstance(outcome, _Token):
                self._token = outcome
            return outcome
        finally:
            self._renewal = None

    async def _ask(self) -> _Token | _Failure:
        if self._client is None:
            raise RuntimeError("ClientCredentials.install(client) was not called")
        credentials = self._credentials
        started = self._clock()
        try:
            response = await self._client.post(TOKEN_PATH, json=credentials.grant(), auth=_NO_AUTH)
        except httpx.HTTPError as e:
            return _Failure(f"oauth_{type(e).__name__}")
        status = response.status_code
        if 400 <= status < 500 and status != 429:  # 400/401/403 above all: no token for us
            return self._refused(response, credentials)
        if status >= 300:
            return _Failure(
                f"oauth_http_{status}", status=status, retry_after=retry_after_seconds(response)
            )
        token = _read_token(response, started)
        if token is None:
            structlog.get_logger(__name__).error("helpdesk.oauth_bad_answer", status=status)
            return _Failure("oauth_bad_answer", refused=True, status=status)
        lifetime = None if math.isinf(token.expires_at) else round(token.expires_at - started)
        structlog.get_logger(__name__).info(
            "helpdesk.oauth_token_issued", client_id=credentials.client_id, expires_in=lifetime
        )
        return token

    def _refused(self, response: httpx.Response, credentials: ClientSecret) -> _Failure:
        error = _error_code(response)
        structlog.get_logger(__name__).error(
            "helpdesk.oauth_refused",
            status=response.status_code,
            error=error,
            client_id=credentials.client_id,
            hint="check HELPDESK_OAUTH_CLIENT_ID, HELPDESK_OAUTH_CLIENT_SECRET and "
            "HELPDESK_OAUTH_SCOPES against the OAuth client in Zendesk's Admin Center",
        )
        return _Failure("oauth_refused", refused=True, status=response.status_code, error=error)


def renew_after(expires_in: float) -> float:
    """Seconds after issue when a token living ``expires_in`` seconds is renewed."""
    return expires_in - min(RENEW_MARGIN_SECONDS, expires_in * RENEW_MARGIN_SHARE)


def _read_token(response: httpx.Response, issued: float) -> _Token | None:
    """The token of a 2xx answer, or None when it carries no usable bearer token."""
    try:
        body: Any = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    value, kind, expires_in = (
        body.get("access_token"),
        body.get("token_type"),
        body.get("expires_in"),
    )
    if not isinstance(value, str) or not value or not value.isascii() or " " in value:
        return None
    if not isinstance(kind, str) or kind.lower() != "bearer":
        return None
    if expires_in is None:
        return _Token(value, math.inf, math.inf)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        return None
    return _Token(value, issued + renew_after(expires_in), issued + expires_in)


def _error_code(response: httpx.Response) -> str | None:
    """Zendesk's ``error`` (``invalid_client``, ``invalid_scope``, ...) when it is a plain code;
    never the description or anything else of the body."""
    try:
        body: Any = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else None
