"""Identifiers: random ones for claims and request ids, derived ones for helpdesk idempotency,
and the bridge reference of a queued hand-off."""

from __future__ import annotations

import hashlib
import os
import secrets

# No 0/O, 1/I/L: a reference is read aloud by a caller and typed by an agent.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_PREFIX = "HB-"
REFERENCE_LENGTH = 6
DERIVED_KEY_LENGTH = 32


def random_uuid_hex() -> str:
    """A random UUID4 as 32 hex digits (what ``uuid.uuid4().hex`` gives), made from the random
    bytes directly without a ``UUID`` object: several are made per hand-off, on the hot path."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return raw.hex()


def derived_key(purpose: str, value: str) -> str:
    """A stable key for ``purpose`` (e.g. ``"create"``) of ``value`` (a dedup key, a reference):
    the first 32 hex digits of a SHA-256. Every process derives the same one, so a helpdesk's
    idempotency maps every retry and every delivery of one problem to one ticket; the hash keeps
    the caller's number out of the header a helpdesk may log."""
    framed = f"{len(purpose)}:{purpose}:{value}"  # no two (purpose, value) pairs frame alike
    digest = hashlib.sha256(framed.encode()).hexdigest()
    return digest[:DERIVED_KEY_LENGTH]


def handoff_reference() -> str:
    """A fresh bridge reference, ``HB-`` + 6 characters from ``REFERENCE_ALPHABET`` (31^6,
    about 887 million): short enough to read aloud; the outbox refuses a duplicate, the caller
    then draws again."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return REFERENCE_PREFIX + body


def normalised_reference(text: str) -> str:
    """A reference as a person may type or say it (lower case, spaces) in its stored form."""
    return text.strip().upper().replace(" ", "")
