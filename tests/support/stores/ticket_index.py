"""What the TicketIndex contract modules share: the keys, the times and how a ticket is indexed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from application.ports import Claim, ClaimState, TicketIndex
from domain.ticket import TicketRef

KEYS = ("oa:conv-42", "caller:+4930123456:wifi")  # strongest first
LEASE = 30.0
TTL = 60.0
SHORT = 0.2  # a lease/TTL that a test outlives by sleeping
PAST_SHORT = 0.35


async def index(
    ticket_index: TicketIndex, keys: Sequence[str], filed: TicketRef, ttl: float = TTL
) -> None:
    """Put a ticket under ``keys`` the way a hand-off does: claim, then fulfil."""
    owner = f"seed-{uuid.uuid4().hex}"
    assert await ticket_index.claim(keys, owner, LEASE) == Claim(ClaimState.WON)
    await ticket_index.fulfil(keys, owner, filed, ttl)


def ticket(ticket_id: str = "TKT-1000") -> TicketRef:
    return TicketRef(
        id=ticket_id,
        url=f"https://help.example.com/tickets/{ticket_id}",
        created_at=1_700_000_123.456789,
    )


def marker(reference: str = "HB-ABC234") -> TicketRef:
    """The queued marker of a hand-off kept in the outbox."""
    return TicketRef(
        id=reference,
        url=f"http://127.0.0.1:3000/handoffs/{reference}",
        created_at=1_700_000_100.25,
        queued=True,
    )
