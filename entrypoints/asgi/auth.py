"""Who is calling: the authentication schemes the gate (``gate.py``) applies.

- ``WebhookAuth``: a shared token (``x-auth-token``) or an HMAC signature over the raw body
  (``x-signature`` + ``x-timestamp``), as the spec's webhook takes them.
- ``BearerAuth``: ``Authorization: Bearer <token>``, as MCP clients send it.

Comparisons are timing-safe. An ``AuthDecision`` names the client for the rate limit: the token
(hashed, never the token itself), the HMAC secret's callers as one client, else the IP.

``AUTH_TOKEN`` and ``WEBHOOK_SECRET`` are comma lists and every value is valid, so a new secret
can be rolled out to the callers before the old one is withdrawn. The schemes read the accepted
secrets (``AuthSecrets``) from a ``Holder`` once per request; SIGHUP swaps it whole
(``AuthReload``, entrypoints/config/reload.py), so a request is judged by the old or the new set.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from application.ports import Clock
from entrypoints.asgi.envelope import HttpError
from entrypoints.config.reload import Commit, Holder
from entrypoints.config.settings import Settings

SIGNATURE_PREFIX = "sha256="
TOKEN_HEADER = b"x-auth-token"
SIGNATURE_HEADER = b"x-signature"
TIMESTAMP_HEADER = b"x-timestamp"
AUTHORIZATION_HEADER = b"authorization"
_BEARER = "bearer "
BEARER_MESSAGE = "Authentication required (send Authorization: Bearer <AUTH_TOKEN>)"


@dataclass(frozen=True, slots=True)
class AuthDecision:
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

    def check(self, headers: Mapping[bytes, str], body: bytes, client_ip: str) -> AuthDecision: ...


class SharedToken:
    """One secret token, kept only as its digest, compared in constant time."""

    __slots__ = ("_digest", "client")

    def __init__(self, token: str) -> None:
        self._digest = hashlib.sha256(token.encode()).digest()
        self.client = "token:" + hashlib.sha256(token.encode()).hexdigest()[:16]

    @classmethod
    def from_digest(cls, digest: bytes) -> SharedToken:
        """The token whose SHA-256 is ``digest`` (a tenants file holds only hashes)."""
        token = cls.__new__(cls)
        token._digest = digest
        token.client = "token:" + digest.hex()[:16]
        return token

    def matches(self, digest: bytes) -> bool:
        """Does the presented token's SHA-256 ``digest`` equal this one's?"""
        return hmac.compare_digest(digest, self._digest)


class HmacKey:
    """One ``WEBHOOK_SECRET`` value: its signature over a request, and its callers' client."""

    __slots__ = ("_key", "client")

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()
        self.client = "hmac:" + hashlib.sha256(self._key).hexdigest()[:16]

    def signs(self, message: bytes, provided: bytes) -> bool:
        expected = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(provided, expected.encode())


@dataclass(frozen=True, slots=True)
class AuthSecrets:
    """The secrets accepted at one moment: every ``AUTH_TOKEN`` and ``WEBHOOK_SECRET`` value."""

    tokens: tuple[SharedToken, ...] = ()
    hmac_keys: tuple[HmacKey, ...] = ()

    @classmethod
    def of(cls, tokens: Sequence[str] = (), webhook_secrets: Sequence[str] = ()) -> AuthSecrets:
        return cls(
            tuple(SharedToken(t) for t in tokens if t),
            tuple(HmacKey(s) for s in webhook_secrets if s),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthSecrets:
        return cls.of(settings.auth_tokens, settings.webhook_secrets)

    def token_client(self, presented: str) -> str | None:
        """The client of the token ``presented`` matches, or None. Every token is compared,
        matched or not, so the time taken does not tell which one (or whether one) matched."""
        digest = hashlib.sha256(presented.encode()).digest()
        found = None
        for token in self.tokens:
            if token.matches(digest):
                found = token.client
        return found

    def digest_client(self, digest: bytes) -> str | None:
        """``token_client`` for a token already hashed (SHA-256 ``digest``): the tenant
        dispatcher hashes a presented token once and asks every tenant."""
        found = None
        for token in self.tokens:
            if token.matches(digest):
                found = token.client
        return found

    def signer(self, message: bytes, provided: bytes) -> str | None:
        """The client of the secret that signed ``message`` as ``provided``, or None."""
        found = None
        for key in self.hmac_keys:
            if key.signs(message, provided):
                found = key.client
        return found


class AuthReload:
    """SIGHUP's part for the authentication secrets (entrypoints/config/reload.py)."""

    variables = frozenset({"AUTH_TOKEN", "WEBHOOK_SECRET"})

    def __init__(self, secrets: Holder[AuthSecrets]) -> None:
        self._secrets = secrets

    def stage(self, settings: Settings) -> Commit:
        return self._secrets.commit(AuthSecrets.from_settings(settings))


class WebhookAuth:
    """``x-auth-token``, or ``x-signature: sha256=<hex>`` + ``x-timestamp`` (unix ms)."""

    headers = frozenset({TOKEN_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER})
    challenge: Mapping[str, str] = {}

    def __init__(self, secrets: Holder[AuthSecrets], tolerance_seconds: int, clock: Clock) -> None:
        self._secrets = secrets
        self._tolerance_ms = tolerance_seconds * 1000
        self._clock = clock

    def check(self, headers: Mapping[bytes, str], body: bytes, client_ip: str) -> AuthDecision:
        ip_client = f"ip:{client_ip}"
        secrets = self._secrets.value  # once: the whole request is judged by one set
        token = headers.get(TOKEN_HEADER)
        if token is not None:
            client = secrets.token_client(token)
            if client is not None:
                return AuthDecision(client)
            return AuthDecision(
                ip_client, HttpError("AUTH_REQUIRED", "Invalid authentication token")
            )
        signature = headers.get(SIGNATURE_HEADER)
        timestamp = headers.get(TIMESTAMP_HEADER)
        if signature is not None or timestamp is not None:
            return self._check_signature(secrets, signature or "", timestamp or "", body, ip_client)
        return AuthDecision(
            ip_client,
            HttpError(
                "AUTH_REQUIRED",
                "Authentication required (provide x-auth-token or x-signature + x-timestamp)",
            ),
        )

    def _check_signature(
        self, secrets: AuthSecrets, signature: str, timestamp: str, body: bytes, ip_client: str
    ) -> AuthDecision:
        if not secrets.hmac_keys:
            return AuthDecision(
                ip_client, HttpError("AUTH_FAILED", "HMAC authentication is not enabled")
            )
        if not signature.startswith(SIGNATURE_PREFIX) or not timestamp.isdigit():
            return AuthDecision(
                ip_client,
                HttpError(
                    "AUTH_FAILED",
                    "Invalid signature headers (x-signature: sha256=<hex>, x-timestamp: unix ms)",
                ),
            )
        now_ms = self._clock.now() * 1000
        if abs(now_ms - int(timestamp)) > self._tolerance_ms:
            return AuthDecision(
                ip_client,
                HttpError("AUTH_FAILED", "Signature timestamp outside the allowed window"),
            )
        provided = signature[len(SIGNATURE_PREFIX) :].lower()
        client = secrets.signer(timestamp.encode() + body, provided.encode())
        if client is None:
            return AuthDecision(ip_client, HttpError("AUTH_FAILED", "Invalid signature"))
        # Only the first 128 bits are kept: as unguessable as the whole, half the memory.
        remaining_ms = int(timestamp) + self._tolerance_ms - now_ms
        return AuthDecision(
            client, signature=provided[:32], replay_seconds=max(remaining_ms, 1) / 1000
        )


class BearerAuth:
    """``Authorization: Bearer <token>``; a bare ``<token>`` is accepted too (a platform that
    sends its stored secret as the header's whole value): the same secret, compared the same
    way. MCP clients send headers, they do not sign bodies, so only the shared token opens it."""

    headers = frozenset({AUTHORIZATION_HEADER})
    challenge: Mapping[str, str] = {"WWW-Authenticate": 'Bearer realm="helpdesk-bridge"'}

    def __init__(self, secrets: Holder[AuthSecrets]) -> None:
        self._secrets = secrets

    def check(self, headers: Mapping[bytes, str], body: bytes, client_ip: str) -> AuthDecision:
        token = headers.get(AUTHORIZATION_HEADER, "").strip()
        if token.lower().startswith(_BEARER):
            token = token[len(_BEARER) :].strip()
        client = self._secrets.value.token_client(token) if token else None
        if client is not None:
            return AuthDecision(client)
        return AuthDecision(f"ip:{client_ip}", HttpError("AUTH_REQUIRED", BEARER_MESSAGE))
