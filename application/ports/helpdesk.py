"""The helpdesk's ports: the system of record for tickets, when the bridge may call it, and the
health ``/readyz`` reports (of the helpdesk and of every store).

Imported through ``application.ports``, which re-exports every port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from domain.ticket import Attachment, NewTicket, TicketRef, TicketStatus

if TYPE_CHECKING:
    from application.timing.deadline import Deadline


class HelpdeskGateway(Protocol):
    """The system of record for tickets (mock, Zendesk, Request Tracker).

    ``deadline`` bounds the whole call, retries included: no attempt starts that cannot finish
    before it (see ``application.timing.deadline``); None leaves the gateway's own limits."""

    async def create_ticket(self, ticket: NewTicket, deadline: Deadline | None = None) -> TicketRef:
        """Open a ticket; raise ``HelpdeskUnavailable`` / ``HelpdeskBadResponse`` on failure."""
        ...

    async def append_note(
        self,
        ticket_id: str,
        text: str,
        author: str | None,
        deadline: Deadline | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        """Add an internal note (with ``attachments`` as files where the helpdesk takes uploads,
        else their text inlined, bounded); raise ``TicketNotFound`` for an unknown id."""
        ...

    async def get_ticket(
        self, ticket_id: str, deadline: Deadline | None = None
    ) -> TicketStatus | None:
        """One ticket's state, subject and times, whatever its state; None for an unknown id.
        Nothing of its comments or internal notes is read into the answer."""
        ...

    async def find_caller_tickets(
        self, caller_number: str, limit: int, deadline: Deadline | None = None
    ) -> list[TicketStatus]:
        """The tickets of the caller with this E.164 number that are not closed, newest first,
        at most ``limit`` (Zendesk: the end user's requested tickets; RT: the caller field)."""
        ...

    async def find_open_ticket(
        self, dedup_keys: Sequence[str], deadline: Deadline | None = None
    ) -> TicketRef | None:
        """An open ticket filed under any of ``dedup_keys`` (strongest first), or None."""
        ...

    async def check_health(self) -> bool:
        """True when an authenticated call to the helpdesk succeeds right now."""
        ...


class HelpdeskBudget(Protocol):
    """When the bridge may call the helpdesk, shared by every process that shares its store.

    The helpdesk's own Retry-After (429, 503) is remembered, so while it runs no hand-off calls
    the helpdesk (they are queued at once); an optional pace (calls per minute, e.g. a Zendesk
    plan's limit) spreads the bridge's own calls, deliveries included."""

    async def blocked_for(self) -> float:
        """Seconds until the helpdesk may be called again (0.0: now)."""
        ...

    async def back_off(self, seconds: float) -> None:
        """Remember a Retry-After of ``seconds`` from now (a later end wins over an earlier)."""
        ...

    async def take(self) -> float:
        """Take one call from the pace: 0.0 when granted now, else the seconds until one would
        be (nothing taken)."""
        ...


class HealthProbe(Protocol):
    """Anything whose health ``/readyz`` reports (the helpdesk, the shared stores, the outbox)."""

    async def check_health(self) -> bool:
        """True when the dependency answers right now."""
        ...


class RequesterCache(Protocol):
    """Caller number -> the helpdesk's user for that caller (Zendesk's end user id), remembered
    where the fleet shares it (Redis), so a caller known to any instance costs no look-up.

    Advice, never the record: a miss, or a store that cannot be read, costs the helpdesk
    calls it saves; a user merged or deleted in the helpdesk is forgotten and found afresh."""

    async def get(self, caller_number: str) -> str | None:
        """The remembered user id, or None."""
        ...

    async def put(self, caller_number: str, user_id: str, ttl_seconds: float) -> None:
        """Remember ``user_id`` for ``ttl_seconds``."""
        ...

    async def forget(self, caller_number: str) -> None:
        """The helpdesk no longer knows the remembered user: drop it."""
        ...
