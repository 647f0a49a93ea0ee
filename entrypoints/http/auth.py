"""Who is calling: the authentication schemes the gate (``gate.py``) applies.

- ``WebhookAuth``: a shared token (``x-auth-token``) or an HMAC signature over the raw body
  (``x-signature`` + ``x-timestamp``), as the spec's webhook takes them.
- ``BearerAuth``: ``Authorization: Bearer <token>``, as MCP clients send it.

Comparisons are timing-safe. A verdict names the client for the rate limit: the token (hashed,
never the token itself), the HMAC secret's callers as one client, else the IP.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from application.ports import Clock
from entrypoints.http.errors import HttpError

SIGNATURE_PREFIX = "sha256="
TOKEN_HEADER = b"x-auth-token"
SIGNATURE_HEADER = b"x-signature"
TIMESTAMP_HEADER = b"x-timestamp"
AUTHORIZATION_HEADER = b"authorization"
_BEARER = "bearer "
BEARER_MESSAGE = "Authentication required (send Authorization: Bearer <AUTH_TOKEN>)"


@dataclass(frozen=True, slots=True)
class Verdict:
    """``client`` keys the rate limit; ``error`` is set when the caller is not let in;
    ``signature`` is set for a valid HMAC request (the replay guard records it, for
    ``replay_seconds``: until its timestamp leaves the window and the request is refused
    anyway, so the guard keeps no signature longer than it must)."""

    client: str
    error: HttpError | None = None
    signature: str | None = None
    replay_seconds: float = 0.0


class AuthScheme(Protocol):
    """How one route tells who is calling, from the headers it reads (and the body)."""

    headers: frozenset[bytes]
    challenge: Mapping[str, str]
    """Headers added to a refusal (``WWW-Authenticate`` for Bearer)."""

    def check(self, headers: Mapping[bytes, str], body: bytes, client_ip: str) -> Verdict: ...


class SharedToken:
    """One secret token, kept only as its digest, compared in constant time."""

    def __init__(self, token: str) -> None:
        self._digest = hashlib.sha256(token.encode()).digest() if token else None
        self.client = "token:" + hashlib.sha256(token.encode()).hexdigest()[:16] if token else ""

    def matches(self, presented: str) -> bool:
        digest = hashlib.sha256(presented.encode()).digest()
        return self._digest is not None and hmac.compare_digest(digest, self._digest)


class WebhookAuth:
    """``x-auth-token``, or ``x-signature: sha256=<hex>`` + ``x-timestamp`` (unix ms)."""

    headers = frozenset({TOKEN_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER})
    challenge: Mapping[str, str] = {}

    def __init__(
        self, auth_token: str, webhook_secret: str, tolerance_seconds: int, clock: Clock
    ) -> None:
        self._token = SharedToken(auth_token)
        self._secret = webhook_secret.encode() if webhook_secret else None
        self._hmac_client = (
            "hmac:" + hashlib.sha256(self._secret).hexdigest()[:16] if self._secret else ""
        )
        self._tolerance_ms = tolerance_seconds * 1000
        self._clock = clock

    def check(self, headers: Mapping[bytes, str], body: bytes, client_ip: str) -> Verdict:
        ip_client = f"ip:{client_ip}"
        token = headers.get(TOKEN_HEADER)
        if token is not None:
            if self._token.matches(token):
                return Verdict(self._token.client)
            return Verdict(ip_client, HttpError("AUTH_REQUIRED", "Invalid authentication token"))
        signature = headers.get(SIGNATURE_HEADER)
        timestamp = headers.get(TIMESTAMP_HEADER)
        if signature is not None or timestamp is not None:
            return self._check_signature(signature or "", timestamp or "", body, ip_client)
        return Verdict(
            ip_client,
            HttpError(
                "AUTH_REQUIRED",
                "Authentication required (provide x-auth-token or x-signature + x-timestamp)",
            ),
        )

    def _check_signature(
        self, signature: str, timestamp: str, body: bytes, ip_client: str
    ) -> Verdict:
        if self._secret is None:
            return Verdict(
                ip_client, HttpError("AUTH_FAILED", "HMAC authentication is not enabled")
            )
        if not signature.startswith(SIGNATURE_PREFIX) or not timestamp.isdigit():
            return Verdict(
                ip_client,
                HttpError(
                    "AUTH_FAILED",
                    "Invalid signature headers (x-signature: sha256=<hex>, x-timestamp: unix ms)",
                ),
            )
        now_ms = self._clock.now() * 1000
        if abs(now_ms - int(timestamp)) > self._tolerance_ms:
            return Verdict(
                ip_client,
                HttpError("AUTH_FAILED", "Signature timestamp outside the allowed window"),
            )
        provided = signature[len(SIGNATURE_PREFIX) :].lower()
        expected = hmac.new(self._secret, timestamp.encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(provided.encode(), expected.encode()):
            return Verdict(ip_client, HttpError("AUTH_FAILED", "Invalid signature"))
        # Only the first 128 bits are kept: as unguessable as the whole, half the memory.
        remaining_ms = int(timestamp) + self._tolerance_ms - now_ms
        return Verdict(
            self._hmac_client, signature=provided[:32], replay_seconds=max(remaining_ms, 1) / 1000
        )


class BearerAuth:
    """``Authorization: Bearer <token>``; a bare ``<token>`` is accepted too (a platform that
    sends its stored secret as the header's whole value): the same secret, compared the same
    way. MCP clients send headers, they do not sign bodies, so only the shared token opens it."""

    headers = frozenset({AUTHORIZATION_HEADER})
    challenge: Mapping[str, str] = {"WWW-Authenticate": 'Bearer realm="helpdesk-bridge"'}

    def __init__(self, auth_token: str) -> None:
        self._token = SharedToken(auth_token)

    def check(self, headers: Mapping[bytes, str], body: bytes, client_ip: str) -> Verdict:
        token = headers.get(AUTHORIZATION_HEADER, "").strip()
        if token.lower().startswith(_BEARER):
            token = token[len(_BEARER) :].strip()
        if token and self._token.matches(token):
            return Verdict(self._token.client)
        return Verdict(f"ip:{client_ip}", HttpError("AUTH_REQUIRED", BEARER_MESSAGE))
