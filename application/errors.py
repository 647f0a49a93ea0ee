"""Errors raised at the ports. Adapters translate their library's failures into these, so the
entrypoints map one small set of errors to statuses and codes (HTTP) or tool errors (MCP)."""

from __future__ import annotations

from domain.errors import DomainError


class TicketNotFound(DomainError):
    """The helpdesk has no ticket with that id."""

    code = "TICKET_NOT_FOUND"


class HelpdeskUnavailable(DomainError):
    """The helpdesk could not be reached, timed out, refused us, or its circuit is open."""

    code = "HELPDESK_UNAVAILABLE"


class HelpdeskBadResponse(DomainError):
    """The helpdesk answered, but not with anything we can use (502, not 503)."""

    code = "HELPDESK_BAD_RESPONSE"


class StoreUnavailable(DomainError):
    """A shared store (Redis) failed; without it dedup and idempotency cannot be promised."""

    code = "STORE_UNAVAILABLE"


class IdempotencyConflict(DomainError):
    """The Idempotency-Key was used before with a different payload."""

    code = "IDEMPOTENCY_CONFLICT"


class IdempotencyInProgress(DomainError):
    """A request with this Idempotency-Key is still running and did not finish while we waited."""

    code = "IDEMPOTENCY_IN_PROGRESS"


class DedupInProgress(DomainError):
    """Another hand-off for the same problem is still being filed and did not finish in time."""

    code = "DEDUP_IN_PROGRESS"
