"""A resolved problem, the answer that files or finds its ticket, and the helpdesk request for it.

Shared by every use case that files (``OaHandoff``, ``FindOrCreateTicket``, ``CreateTicket``,
``DeliverHandoff``) and by the outbox's encoding of a queued hand-off.
"""

from __future__ import annotations

import msgspec

from domain.phone import CallerNumber
from domain.taxonomy import Category, EscalationReason
from domain.ticket import NewTicket, TicketRef, ticket_subject


class Problem(msgspec.Struct, frozen=True):
    """A validated, fully resolved problem, ready to be filed."""

    category: Category
    reason: EscalationReason
    summary: str
    body: str
    confidence: str | None
    caller_number: CallerNumber | None
    oa_key: str | None
    source: str


class FiledTicket(msgspec.Struct, frozen=True, kw_only=True):
    """The ticket that answers for ``problem``; ``created`` is False when the open ticket for the
    same problem was found. ``problem`` holds the fields as resolved (category and reason read
    from the note or inferred, the caller number normalised), which the caller echoes.

    ``queued``: the helpdesk could not take the hand-off in time and it was kept in the outbox;
    ``ticket`` is then its queued marker (``id`` the bridge reference, ``url`` its status page)
    and ``created`` says whether this call queued it (False: the same problem was queued before).
    """

    created: bool
    ticket: TicketRef
    problem: Problem
    queued: bool = False


def new_ticket(
    problem: Problem, dedup_key: str | None, request_key: str, reference: str | None = None
) -> NewTicket:
    """The helpdesk request for ``problem``. ``request_key`` is derived from the problem (see
    ``application.ids.derived_key``): a helpdesk with idempotent creates opens one ticket however
    often, and by whichever instance, the same problem is sent - with the same body."""
    return NewTicket(
        subject=ticket_subject(problem.category, problem.summary),
        body=problem.body,
        category=problem.category,
        reason=problem.reason,
        confidence=problem.confidence,
        caller_number=problem.caller_number,
        source=problem.source,
        dedup_key=dedup_key,
        request_key=request_key,
        reference=reference,
    )
