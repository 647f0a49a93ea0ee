"""The ``ElevenLabs-Signature`` of a post-call webhook, checked while the body streams in.

``ElevenLabs-Signature: t=<unix seconds>,v0=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``. The
header is checked first (its shape and its timestamp: nothing is read of a request that cannot
be valid), then the HMAC is fed the body chunk by chunk, so a body of many megabytes (a call's
audio) is verified without ever being held whole. Compared in constant time; every ``v0`` in
the header is tried, and every configured secret (``ELEVENLABS_WEBHOOK_SECRET`` is a comma list,
as the other secrets, so a new one is accepted beside the old while the webhook moves over); a
SIGHUP swaps them (``PostCallSecretReload``, entrypoints/config/reload.py) without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from application.ports import Clock
from entrypoints.asgi.envelope import HttpError
from entrypoints.config.reader import comma_values
from entrypoints.config.reload import Commit, Holder
from entrypoints.config.settings import Settings

SIGNATURE_HEADER = b"elevenlabs-signature"
TOLERANCE_SECONDS = 30 * 60
"""ElevenLabs' own examples refuse a signature older than 30 minutes."""
_HEX_DIGITS = frozenset("0123456789abcdef")
_MAX_SIGNATURES = 8


def _refused(message: str) -> HttpError:
    return HttpError("AUTH_REQUIRED", message)


@dataclass(frozen=True, slots=True)
class SignedHeader:
    """The header's parts: the timestamp as sent and the candidate signatures (lower hex)."""

    timestamp: str
    signatures: tuple[str, ...]


def parse_signature_header(value: str | None) -> SignedHeader:
    """``t=...,v0=...`` -> its parts; ``HttpError`` (401) when it is missing or malformed."""
    if value is None or not value.strip():
        raise _refused("ElevenLabs-Signature header required")
    timestamp: str | None = None
    signatures: list[str] = []
    for part in value.split(","):
        name, _, text = part.strip().partition("=")
        if name == "t":
            timestamp = text
        elif name == "v0" and len(signatures) < _MAX_SIGNATURES:
            signatures.append(text.lower())
    if (
        timestamp is None
        or not (timestamp.isascii() and timestamp.isdigit())
        or len(timestamp) > 12
        or not signatures
        or not all(len(sig) == 64 and set(sig) <= _HEX_DIGITS for sig in signatures)
    ):
        raise _refused("Malformed ElevenLabs-Signature header (t=<unix seconds>,v0=<hex>)")
    return SignedHeader(timestamp, tuple(signatures))


class BodyVerifier:
    """The HMAC of one request under each secret, fed as the body arrives; ``matches`` at the
    end."""

    __slots__ = ("_macs", "_signatures")

    def __init__(self, secrets: tuple[bytes, ...], header: SignedHeader) -> None:
        signed = header.timestamp.encode() + b"."
        self._macs = [hmac.new(secret, signed, hashlib.sha256) for secret in secrets]
        self._signatures = tuple(signature.encode() for signature in header.signatures)

    def update(self, chunk: bytes) -> None:
        for mac in self._macs:
            mac.update(chunk)

    def matches(self) -> bool:
        """True when a signature of the header is the body's under a secret (each pair compared
        in constant time, all pairs compared)."""
        found = False
        for mac in self._macs:
            expected = mac.hexdigest().encode()
            for signature in self._signatures:
                found |= hmac.compare_digest(signature, expected)
        return found


class PostCallSignature:
    """The secrets (``ELEVENLABS_WEBHOOK_SECRET``'s values, read once per request from
    ``secrets``, which a reload replaces) and the timestamp window."""

    def __init__(
        self,
        secrets: Holder[tuple[str, ...]],
        clock: Clock,
        tolerance_seconds: int = TOLERANCE_SECONDS,
    ) -> None:
        self._secrets = secrets
        self._clock = clock
        self._tolerance = tolerance_seconds

    @property
    def enabled(self) -> bool:
        """False while no secret is configured: nothing can be accepted."""
        return bool(self._secrets.value)

    def start(self, header_value: str | None) -> BodyVerifier:
        """A verifier for a request with this header; ``HttpError`` (401) for a header that
        cannot be valid: missing, malformed, or a timestamp outside the window (older than the
        tolerance, or as far in the future)."""
        secrets = tuple(s.encode() for s in self._secrets.value)  # once: one set per request
        header = parse_signature_header(header_value)
        if abs(self._clock.now() - int(header.timestamp)) > self._tolerance:
            raise _refused("ElevenLabs-Signature timestamp outside the allowed window")
        return BodyVerifier(secrets, header)


class PostCallSecretReload:
    """SIGHUP's part for ``ELEVENLABS_WEBHOOK_SECRET`` (set, rotated, or emptied: the route then
    answers 404) - no restart needed."""

    variables = frozenset({"ELEVENLABS_WEBHOOK_SECRET"})

    def __init__(self, secrets: Holder[tuple[str, ...]]) -> None:
        self._secrets = secrets

    def stage(self, settings: Settings) -> Commit:
        return self._secrets.commit(post_call_secrets(settings))


def post_call_secrets(settings: Settings) -> tuple[str, ...]:
    """Every ``ELEVENLABS_WEBHOOK_SECRET`` value (a comma list: all are valid, for rotation)."""
    return comma_values(settings.elevenlabs_webhook_secret)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value ElevenLabs would send for ``body`` at ``timestamp`` (tests, tools)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v0={mac.hexdigest()}"
