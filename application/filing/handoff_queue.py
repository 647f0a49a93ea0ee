"""Keeping a hand-off the helpdesk cannot take in time: its encoding, reference and marker.

The outbox stores the problem as bytes it does not read; what is kept with it is what every
later delivery must send the same way: the helpdesk idempotency key, and whether a create with
that key (and without the reference) may already have reached the helpdesk - a helpdesk
refuses a reused key with another body, so such a delivery sends the very same body.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from application.errors import StoreUnavailable
from application.filing.problem import Problem
from application.ids import handoff_reference
from application.ports import Clock, DuplicateReference, Outbox, QueuedHandoff
from domain.ticket import TicketRef

# Draws of a fresh reference before giving up: a clash is one in ~887 million per queued item.
MAX_REFERENCE_DRAWS = 8


class QueuedProblem(msgspec.Struct, frozen=True, kw_only=True):
    """What a queued hand-off's ``problem`` bytes hold."""

    problem: Problem
    request_key: str
    sent: bool = False  # a create with ``request_key`` and no reference may have landed


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(QueuedProblem).decode


def encode_queued(queued: QueuedProblem) -> bytes:
    return _encode(queued)


def decode_queued(raw: bytes) -> QueuedProblem:
    """The queued problem; ``msgspec.DecodeError`` (a ``ValueError``) for unreadable bytes."""
    return _decode(raw)


def handoff_url(public_base_url: str, reference: str) -> str:
    """Where the status of a queued hand-off is read (``GET /handoffs/{reference}``)."""
    return f"{public_base_url.rstrip('/')}/handoffs/{reference}"


class HandoffQueue:
    """Put hand-offs into the outbox and name them by their marker."""

    def __init__(self, outbox: Outbox, clock: Clock, public_base_url: str) -> None:
        self._outbox = outbox
        self._clock = clock
        self._base_url = public_base_url

    def marker(self, reference: str, queued_at: float) -> TicketRef:
        """The queued marker: what the caller is answered and the index holds for the keys."""
        url = handoff_url(self._base_url, reference)
        return TicketRef(id=reference, url=url, created_at=queued_at, queued=True)

    async def put(
        self,
        queued: QueuedProblem,
        keys: Sequence[str],
        reference: str | None = None,
    ) -> tuple[TicketRef, bool]:
        """Keep the hand-off (committed when this returns; ``StoreUnavailable`` otherwise) and
        return its marker, and True when it was kept now - False when the outbox already holds
        the same problem (any of ``keys``), whose marker is returned."""
        item = QueuedHandoff(
            reference=reference or handoff_reference(),
            problem=encode_queued(queued),
            dedup_keys=tuple(keys),
            queued_at=self._clock.now(),
        )
        for _ in range(MAX_REFERENCE_DRAWS):
            try:
                return self._answer(item, await self._outbox.put(item))
            except DuplicateReference:
                item = msgspec.structs.replace(item, reference=handoff_reference())
        raise StoreUnavailable("The outbox refused every fresh reference; nothing was queued")

    def _answer(self, item: QueuedHandoff, kept: QueuedHandoff) -> tuple[TicketRef, bool]:
        return self.marker(kept.reference, kept.queued_at), kept.reference == item.reference
