"""Random identifiers for claims, create requests and request ids."""

from __future__ import annotations

import os


def random_uuid_hex() -> str:
    """A random UUID4 as 32 hex digits (what ``uuid.uuid4().hex`` gives), made from the random
    bytes directly without a ``UUID`` object: several are made per hand-off, on the hot path."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return raw.hex()
