"""The stand-in's OAuth token endpoint: Zendesk's client credentials grant, with tokens that
expire on the stand-in's clock and can be revoked on command.

- ``POST /oauth/tokens`` ``{"grant_type": "client_credentials", "client_id", "client_secret",
  "scope"}`` -> 201 ``{"access_token", "token_type": "bearer", "scope", "expires_in"}`` (the
  answer of Zendesk's OpenAPI description, ``CreateTokenForGrantType``; tokens live
  ``expires_in`` seconds, 1800 as for clients made since 2026-04-30). An unknown client or a
  wrong secret -> 401 ``{"error": "invalid_client", "error_description"}``; another grant type
  -> 400 ``unsupported_grant_type``; no or an empty scope -> 400 ``invalid_scope``.
- ``Bearer <token>`` on the Support API is accepted while the token is issued, not expired
  (``POST /_standin/clock`` moves the clock) and not revoked.
- Control (loopback, like control.py): ``GET /_standin/oauth`` -> ``{"requests", "granted",
  "refused", "active", "issued": [tokens]}`` (``issued`` lets a test check that no token
  reached a log); ``POST /_standin/oauth/revoke`` -> every token revoked; ``POST
  /_standin/oauth/lifetime`` ``{"expires_in": 300}``; ``POST /_standin/oauth/client``
  ``{"client_id", "secret"}`` (a regenerated secret: the old one is refused from now on);
  ``POST /_standin/oauth/reset``.

The bridge's side of it: ``oauth_bridge_env(standin)`` and the helpers below.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.support.standin.asgi import Answer, BadJson, Request, error
from tests.support.standin.state import Clock

if TYPE_CHECKING:
    from tests.support.standin.client import StandinProcess

TOKEN_PATH = "/oauth/tokens"
CONTROL_PATH = "/_standin/oauth"
DEFAULT_CLIENT_ID = "helpdesk_bridge_standin"
DEFAULT_CLIENT_SECRET = "standin-client-secret-5e1b"
DEFAULT_EXPIRES_IN = 1800
LOOPBACK = frozenset({"127.0.0.1", "::1"})


@dataclass
class TokenIssuer:
    """The OAuth clients the stand-in knows and the tokens it has issued (token -> expiry on
    the stand-in's monotonic clock)."""

    clock: Clock
    clients: dict[str, str] = field(
        default_factory=lambda: {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
    )
    expires_in: int = DEFAULT_EXPIRES_IN
    tokens: dict[str, float] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"granted": 0, "refused": 0})

    def handles(self, request: Request) -> bool:
        return request.path in (TOKEN_PATH, CONTROL_PATH) or request.path.startswith(
            CONTROL_PATH + "/"
        )

    def answer(self, request: Request) -> Answer:
        if request.path == TOKEN_PATH:
            if request.method != "POST":
                return error(405, "MethodNotAllowed", "POST only")
            try:
                return self._grant(request.json_object())
            except BadJson as e:
                return error(400, "invalid_request", f"the body is not a JSON object: {e}")
        if request.client_host not in LOOPBACK:
            return error(403, "Forbidden", "the control endpoints answer loopback clients only")
        return self._control(request)

    def accepts(self, authorization: str) -> bool:
        """Is ``authorization`` ``Bearer <a token issued here, not expired, not revoked>``?"""
        scheme, _, token = authorization.partition(" ")
        expiry = self.tokens.get(token) if scheme.lower() == "bearer" else None
        return expiry is not None and self.clock.monotonic() < expiry

    def _grant(self, body: dict[str, Any]) -> Answer:
        if body.get("grant_type") != "client_credentials":
            return self._refuse(400, "unsupported_grant_type", "The grant type is not supported")
        client_id, secret = body.get("client_id"), body.get("client_secret")
        if not isinstance(client_id, str) or self.clients.get(client_id) != secret:
            return self._refuse(
                401,
                "invalid_client",
                "Client authentication failed due to unknown client, no client authentication "
                "included, or unsupported authentication method.",
            )
        scope = body.get("scope")
        if not isinstance(scope, str) or not scope.strip():
            return self._refuse(400, "invalid_scope", "The requested scope is invalid")
        token = secrets.token_urlsafe(24)
        self.tokens[token] = self.clock.monotonic() + self.expires_in
        self.issued.append(token)
        self.counts["granted"] += 1
        return Answer(
            201,
            {
                "access_token": token,
                "token_type": "bearer",
                "scope": scope,
                "expires_in": self.expires_in,
            },
        )

    def _refuse(self, status: int, name: str, description: str) -> Answer:
        self.counts["refused"] += 1
        return Answer(status, {"error": name, "error_description": description})

    def _control(self, request: Request) -> Answer:
        action = request.path.removeprefix(CONTROL_PATH).strip("/")
        if request.method == "GET" and not action:
            now = self.clock.monotonic()
            active = sum(1 for expiry in self.tokens.values() if now < expiry)
            requests = self.counts["granted"] + self.counts["refused"]
            body = {"requests": requests, **self.counts, "active": active, "issued": self.issued}
            return Answer(200, body)
        if request.method != "POST":
            return error(404, "InvalidEndpoint", f"no control endpoint {request.path}")
        if action == "revoke":
            self.tokens.clear()
        elif action == "reset":
            self.tokens.clear()
            self.issued.clear()
            self.counts = {"granted": 0, "refused": 0}
            self.expires_in = DEFAULT_EXPIRES_IN
        elif action == "client":  # the secret regenerated in Admin Center (or a new client)
            body = request.json_object()
            client_id, secret = body.get("client_id"), body.get("secret")
            if not isinstance(client_id, str) or not isinstance(secret, str) or not secret:
                return error(400, "InvalidControl", "client_id and secret must be text")
            self.clients[client_id] = secret
        elif action == "lifetime":
            value = request.json_object().get("expires_in")
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                return error(400, "InvalidControl", "expires_in must be a whole number >= 1")
            self.expires_in = value
        else:
            return error(404, "InvalidEndpoint", f"no control action {action!r}")
        return Answer(200, {"ok": True})


# -- the test's side ---------------------------------------------------------------------------


def oauth_bridge_env(
    standin: StandinProcess, secret: str = DEFAULT_CLIENT_SECRET, **extra: str
) -> dict[str, str]:
    """The environment of a bridge signing in to ``standin`` with OAuth client credentials
    (no e-mail, no API token: only the client)."""
    return {
        "HELPDESK_BACKEND": "zendesk",
        "HELPDESK_API_URL": standin.url,
        "HELPDESK_OAUTH_CLIENT_ID": DEFAULT_CLIENT_ID,
        "HELPDESK_OAUTH_CLIENT_SECRET": secret,
        **extra,
    }


def token_stats(standin: StandinProcess) -> dict[str, Any]:
    """``requests``, ``granted``, ``refused``, ``active`` and every ``issued`` token."""
    return standin.control("GET", "oauth")


def revoke_tokens(standin: StandinProcess) -> None:
    standin.control("POST", "oauth/revoke", {})


def set_client_secret(standin: StandinProcess, secret: str) -> None:
    """Regenerate the client's secret at the stand-in: the old one is refused from now on."""
    standin.control("POST", "oauth/client", {"client_id": DEFAULT_CLIENT_ID, "secret": secret})
