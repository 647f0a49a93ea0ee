"""Which hand-offs are "the same problem", and for how long. One place decides this."""

from __future__ import annotations

from dataclasses import dataclass

from domain.taxonomy import Category

DEFAULT_WINDOW_SECONDS = 4 * 60 * 60


@dataclass(frozen=True, slots=True)
class DedupPolicy:
    """Two hand-offs are the same problem when they share the ``oaKey``, or else the caller's
    number and the category, within ``window_seconds`` (``DEFAULT_WINDOW_SECONDS`` unless
    configured) of the ticket's creation.

    Keys are returned strongest first. Both are checked: a caller who rings back about the same
    WiFi problem in a new conversation (a new ``oaKey``) still lands on the open ticket.
    """

    window_seconds: float = DEFAULT_WINDOW_SECONDS

    def keys_for(
        self, oa_key: str | None, caller_number: str | None, category: Category
    ) -> tuple[str, ...]:
        """The index keys of one hand-off, strongest first; empty when nothing identifies it."""
        keys: list[str] = []
        if oa_key:
            keys.append(f"oa:{oa_key}")
        if caller_number:
            keys.append(f"caller:{caller_number}:{category.value}")
        return tuple(keys)

    def remaining(self, created_at: float, now: float) -> float:
        """Seconds a ticket created at ``created_at`` still dedups; <= 0 means it no longer does."""
        return created_at + self.window_seconds - now

    def is_fresh(self, created_at: float, now: float) -> bool:
        """True while a ticket still answers for its problem."""
        return self.remaining(created_at, now) > 0
