"""Errors raised at the ports. Adapters translate their library's failures into these, so the
entrypoints map one small set of errors to statuses and codes (HTTP) or tool errors (MCP).

Each error's wire ``code`` is its name in upper snake case (``TicketNotFound`` ->
``TICKET_NOT_FOUND``; see ``DomainError``).
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import DomainError


class TicketNotFound(DomainError):
    """The helpdesk has no ticket with that id."""


class HelpdeskUnavailable(DomainError):
    """The helpdesk could not be reached, timed out, refused us, or its circuit is open.

    ``retry_after``: seconds the helpdesk asked us to wait (429/503 Retry-After), when it did.
    ``uncertain``: the request may have reached the helpdesk and been applied (a timeout or a
    connection lost after sending a create): the caller must not assume nothing happened.
    """

    def __init__(
        self,
        message: str,
        details: Mapping[str, object] | None = None,
        *,
        retry_after: float | None = None,
        uncertain: bool = False,
    ) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after
        self.uncertain = uncertain


class HelpdeskBadResponse(DomainError):
    """The helpdesk answered, but not with anything we can use (502, not 503)."""


class StoreUnavailable(DomainError):
    """A shared store (Redis) failed; without it dedup and idempotency cannot be promised."""


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with a different payload."""


class IdempotencyInProgress(DomainError):
    """A request with this Idempotency-Key is still running and did not finish while we waited."""


class DedupInProgress(DomainError):
    """Another hand-off for the same problem is still being filed and did not finish in time."""


class HandoffNotFound(DomainError):
    """No queued hand-off has that reference (the spec's generic 404 code)."""

    code = "NOT_FOUND"
