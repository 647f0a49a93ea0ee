"""The Idempotency-Key header's rule: its name, its length and the check that refuses a key a
store could not hold. The rule table (``application.inputs.fields``) describes it for the schema
from the same limit; ``application.use_cases.idempotency`` runs requests once per checked key."""

from __future__ import annotations

from domain.errors import InvalidInput

MAX_IDEMPOTENCY_KEY_CHARS = 255
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"


def checked_idempotency_key(key: str) -> str:
    """``key`` when it may name a request (1 to ``MAX_IDEMPOTENCY_KEY_CHARS`` printable
    characters), else ``InvalidInput`` on the header, so a key that a store could not hold is
    refused before anything runs."""
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_CHARS or not key.isprintable():
        raise InvalidInput.single(
            IDEMPOTENCY_KEY_HEADER,
            f"{IDEMPOTENCY_KEY_HEADER} must be 1-{MAX_IDEMPOTENCY_KEY_CHARS} printable characters",
        )
    return key
