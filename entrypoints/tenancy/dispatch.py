"""The tenants' dispatcher: the ASGI app in front of every tenant's app, choosing the tenant of
each request - never deciding who is let in, which stays with the chosen tenant's own gate.

- ``/healthz``, ``/readyz``, ``/metrics`` and ``/schema`` are the process's, answered once for
  all tenants by the front (``front.py``).
- ``/tenants/<name>/<route>``: the tenant named in the path, the prefix removed - how signed
  requests reach their tenant (``x-signature`` on the webhook, ``ElevenLabs-Signature`` on the
  post-call route: a signature names no tenant until it is checked against a secret, and only
  the path can say which secret to check). Any route may be reached this way.
- any other path: the tenant whose ``auth_tokens`` hold the presented token (``x-auth-token``,
  else ``Authorization: Bearer``), its SHA-256 compared with every tenant's in constant time.
- no tenant chosen: the front answers as a bridge without tenants answers an unknown caller
  (401 ``AUTH_REQUIRED`` in the envelope; 404 for ``/tenants/<unknown>``).

The chosen tenant's gate then checks the credential against that tenant's secrets only: a
token of tenant B under ``/tenants/a/`` is refused, as any unknown token is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from entrypoints.asgi.auth import (
    AUTHORIZATION_HEADER,
    BEARER_MESSAGE,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOKEN_HEADER,
    BearerAuth,
)
from entrypoints.asgi.envelope import error_answer
from entrypoints.asgi.requests import ASGIApp, Receive, Scope, Send, read_headers
from entrypoints.asgi.responses import LogFields, encode_headers
from entrypoints.config.reload import Holder
from entrypoints.http.edge import normalised
from entrypoints.tenancy.apps import TenantApp

TENANT_PREFIX = "/tenants/"
SHARED_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/schema"})
MCP_PATH = "/mcp"
_BEARER = "bearer "
_CREDENTIALS = frozenset({TOKEN_HEADER, AUTHORIZATION_HEADER})
_CHALLENGE = encode_headers(BearerAuth.challenge)


class Selection:
    """The tenants serving at one moment (a reload that adds or retires one swaps it whole)."""

    def __init__(self, apps: Sequence[TenantApp] = ()) -> None:
        self.apps = tuple(apps)
        self.by_name = {app.name: app for app in self.apps}

    def with_app(self, app: TenantApp) -> Selection:
        return Selection([*(a for a in self.apps if a.name != app.name), app])

    def without(self, name: str) -> Selection:
        return Selection([a for a in self.apps if a.name != name])

    def by_token(self, token: str) -> TenantApp | None:
        """The tenant one of whose tokens is ``token``. Every tenant's every token is compared,
        so the time taken tells neither which tenant nor whether one matched."""
        digest = hashlib.sha256(token.encode()).digest()
        found = None
        for app in self.apps:
            if app.secrets.value.digest_client(digest) is not None:
                found = app
        return found


def _presented_tokens(scope: Scope) -> list[str]:
    """``x-auth-token``, then the token of ``Authorization`` (``Bearer <t>`` or bare ``<t>``)."""
    headers = read_headers(scope, _CREDENTIALS)
    tokens = []
    if TOKEN_HEADER in headers:
        tokens.append(headers[TOKEN_HEADER])
    authorization = headers.get(AUTHORIZATION_HEADER, "").strip()
    if authorization.lower().startswith(_BEARER):
        authorization = authorization[len(_BEARER) :].strip()
    if authorization:
        tokens.append(authorization)
    return tokens


class TenantDispatch:
    """The ASGI app ``serve`` runs with a tenants file; ``front`` is the tenants' front edge."""

    def __init__(self, selection: Holder[Selection], front: ASGIApp) -> None:
        self._selection = selection
        self._front = front

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._front(scope, receive, send)  # the lifespan: the front starts tenants
            return
        path = normalised(scope["path"])
        selection = self._selection.value  # once: one request, one set of tenants
        chosen: TenantApp | None = None
        if path.startswith(TENANT_PREFIX):
            name, _, rest = path[len(TENANT_PREFIX) :].partition("/")
            chosen = selection.by_name.get(name)
            if chosen is not None:
                inner = "/" + rest
                scope = {**scope, "path": inner, "raw_path": inner.encode()}
        elif not _shared(path):
            for token in _presented_tokens(scope):
                chosen = selection.by_token(token)
                if chosen is not None:
                    break
        if chosen is None:
            await self._front(scope, receive, send)
        else:
            await chosen(scope, receive, send)


def _shared(path: str) -> bool:
    return path in SHARED_PATHS or path.startswith("/schema/")


async def refuse(scope: Scope, receive: Receive, send: Send) -> LogFields | None:
    """The front's answer to a request no tenant was chosen for: what a bridge without tenants
    answers a caller it does not know."""
    path = scope["path"]
    if path == TENANT_PREFIX.rstrip("/") or path.startswith(TENANT_PREFIX):
        answer = error_answer("NOT_FOUND", "No such tenant")
    elif path == MCP_PATH or path.startswith(MCP_PATH + "/"):
        answer = error_answer("AUTH_REQUIRED", BEARER_MESSAGE, headers=list(_CHALLENGE))
    else:
        headers = read_headers(scope, frozenset({TOKEN_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER}))
        if TOKEN_HEADER in headers:
            message = "Invalid authentication token"
        elif headers:
            message = (
                "Signed requests name their tenant in the path: /tenants/<name>/... "
                "(a signature alone does not say whose secret to check it with)"
            )
        else:
            message = "Authentication required (provide x-auth-token or x-signature + x-timestamp)"
        answer = error_answer("AUTH_REQUIRED", message)
    await answer.send(send)
    return answer.log_fields
