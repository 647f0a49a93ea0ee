"""One hand-off as the use cases hand it to a ``HelpdeskGateway``, for every helpdesk test: each
test changes only the fields its case is about."""

from __future__ import annotations

import msgspec

from domain.taxonomy import Category, EscalationReason
from domain.ticket import NewTicket

NOTE = (
    "Category: WiFi\nReason: TwoStepsNoResolve\n"
    "Summary: Customer unable to connect to WiFi after router reset\nConfidence: 0.85"
)
CALLER = "+14155550123"

HAND_OFF = NewTicket(
    subject="[WiFi] Customer unable to connect to WiFi after router reset",
    body=NOTE,
    category=Category.WIFI,
    reason=EscalationReason.TWO_STEPS_NO_RESOLVE,
    confidence="0.85",
    caller_number=CALLER,
    source="OutageAgent",
)


def hand_off(
    dedup_key: str | None = None, request_key: str | None = None, **changes: str | None
) -> NewTicket:
    """``HAND_OFF`` filed under ``dedup_key`` with ``request_key``, other fields as given."""
    return msgspec.structs.replace(
        HAND_OFF, dedup_key=dedup_key, request_key=request_key, **changes
    )
