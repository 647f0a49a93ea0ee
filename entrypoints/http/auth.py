"""Who is calling: a shared token (``x-auth-token``) or an HMAC signature over the raw body.

Both comparisons are timing-safe. The result names the client for rate limiting: the token
(hashed, never the token itself), the HMAC secret's callers as one client, else the IP.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from entrypoints.http.errors import HttpError

SIGNATURE_PREFIX = "sha256="


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


class Authenticator:
    """Checks ``x-auth-token`` or ``x-signature`` + ``x-timestamp`` (unix milliseconds)."""

    def __init__(self, auth_token: str, webhook_secret: str, tolerance_seconds: int) -> None:
        self._token_digest = hashlib.sha256(auth_token.encode()).digest() if auth_token else None
        self._token_client = (
            "token:" + hashlib.sha256(auth_token.encode()).hexdigest()[:16] if auth_token else ""
        )
        self._secret = webhook_secret.encode() if webhook_secret else None
        self._hmac_client = (
            "hmac:" + hashlib.sha256(self._secret).hexdigest()[:16] if self._secret else ""
        )
        self._tolerance_ms = tolerance_seconds * 1000

    def check(
        self,
        token: str | None,
        signature: str | None,
        timestamp: str | None,
        body: bytes,
        client_ip: str,
    ) -> Verdict:
        ip_client = f"ip:{client_ip}"
        if token is not None:
            return self._check_token(token, ip_client)
        if signature is not None or timestamp is not None:
            return self._check_signature(signature or "", timestamp or "", body, ip_client)
        return Verdict(
            ip_client,
            HttpError(
                "AUTH_REQUIRED",
                "Authentication required (provide x-auth-token or x-signature + x-timestamp)",
            ),
        )

    def _check_token(self, token: str, ip_client: str) -> Verdict:
        presented = hashlib.sha256(token.encode()).digest()
        if self._token_digest is not None and hmac.compare_digest(presented, self._token_digest):
            return Verdict(self._token_client)
        return Verdict(ip_client, HttpError("AUTH_REQUIRED", "Invalid authentication token"))

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
        now_ms = time.time() * 1000
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
