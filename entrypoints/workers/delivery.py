"""The delivery worker of every ``serve`` process: queued hand-offs go to the helpdesk.

Each round leases the due items (``Outbox.lease``: one worker delivers an item at a time; a
worker killed mid-delivery leaves its lease to expire, and another worker - or this one,
restarted - takes the item), delivers them concurrently through the same use case as a live
hand-off (dedup, the derived helpdesk idempotency key), and sleeps until the next round or
until a hand-off is queued (``nudge``). One log line per delivered, postponed or dead item, by
reference only: never the note, never the phone number.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from application.errors import StoreUnavailable
from application.ids import random_uuid_hex
from application.ports import Clock, Outbox, QueuedHandoff
from application.use_cases.deliver_handoff import DeliveryOutcome, DeliveryState
from entrypoints.bootstrap.container import Container
from entrypoints.bootstrap.metrics import Metrics

Deliver = Callable[[QueuedHandoff], Awaitable[DeliveryOutcome]]


class DeliveryWorker:
    """Leases and delivers queued hand-offs until ``stop``.

    ``lease_seconds`` must outlast one delivery (its own deadline) with room to spare, so a live
    worker never loses an item it is still delivering."""

    def __init__(
        self,
        outbox: Outbox,
        deliver: Deliver,
        clock: Clock,
        metrics: Metrics | None = None,
        *,
        lease_seconds: float = 120.0,
        batch: int = 8,
        idle_seconds: float = 1.0,
    ) -> None:
        self._outbox = outbox
        self._deliver = deliver
        self._clock = clock
        self._metrics = metrics
        self._lease = lease_seconds
        self._batch = batch
        self._idle = idle_seconds
        self.worker_id = f"worker-{random_uuid_hex()[:12]}"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._log = structlog.get_logger("helpdesk_bridge.outbox")

    def start(self) -> None:
        """Run in the background of the current event loop (the app's lifespan)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="delivery")

    def nudge(self) -> None:
        """A hand-off was just queued: look now instead of at the next idle tick."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop after the deliveries in flight (their items stay leased and safe: an
        interrupted delivery is redone by whoever leases the item next)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> int:
        """One round: lease due items and deliver them; the number leased."""
        items = await self._outbox.lease(
            self.worker_id, self._clock.now(), self._lease, self._batch
        )
        if items:
            await asyncio.gather(*(self._one(item) for item in items))
        return len(items)

    async def _run(self) -> None:
        while True:
            try:
                leased = await self.run_once()
            except StoreUnavailable:
                self._log.warning("outbox.unavailable", worker=self.worker_id)
                leased = 0
            except Exception as error:  # a bug must not stop deliveries for good
                self._log.error(
                    "outbox.worker_error", error_type=type(error).__name__, exc_info=error
                )
                leased = 0
            if leased >= self._batch:
                continue  # more may be due right now
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle)

    async def _one(self, item: QueuedHandoff) -> None:
        try:
            result = await self._deliver(item)
        except StoreUnavailable:
            self._log.warning("outbox.delivery_interrupted", reference=item.reference)
            return
        now = self._clock.now()
        waited = now - item.queued_at
        delivered = result.state is DeliveryState.DELIVERED
        if self._metrics is not None:
            self._metrics.observe_delivery(result.state.value, waited if delivered else None)
        fields: dict[str, object] = {
            "reference": item.reference,
            "attempts": item.attempts + 1,
            "queued_seconds": round(waited, 3),
        }
        if delivered:
            ticket_id = result.ticket.id if result.ticket is not None else None
            if result.notes or result.notes_dropped:  # counts only, never the notes' text
                fields.update(notes=result.notes, notes_dropped=result.notes_dropped)
            self._log.info(
                "outbox.delivered", ticket_id=ticket_id, created=result.created, **fields
            )
        elif result.state is DeliveryState.DEAD:
            self._log.warning("outbox.dead", reason=result.error, **fields)
        else:
            retry_in = None
            if result.next_attempt_at is not None:
                retry_in = round(max(result.next_attempt_at - now, 0.0), 3)
            self._log.info("outbox.postponed", reason=result.error, retry_in=retry_in, **fields)


async def warn_if_queued_hand_offs_are_not_durable(container: Container) -> None:
    """At start-up: with STORE_BACKEND=redis the outbox lives in Redis, and a Redis that keeps
    nothing on disk loses every queued hand-off when it restarts - say so, loudly, once."""
    settings = container.settings()
    if settings.store_backend != "redis" or settings.helpdesk.down_policy != "queue":
        return
    from adapters.outbox.redis import redis_persistence  # only a Redis store loads redis-py

    log = structlog.get_logger("helpdesk_bridge.outbox")
    try:
        persistence = await redis_persistence(container.stores().client())
    except StoreUnavailable:
        log.warning("outbox.persistence_unknown", hint="Redis did not answer at start-up")
        return
    if persistence is None:
        log.warning(
            "outbox.not_durable",
            hint="Redis keeps nothing on disk: queued hand-offs are lost when it restarts; "
            "enable AOF (appendonly yes, appendfsync everysec) - see docs/deployment.md",
        )
    else:
        log.info("outbox.persistence", redis=persistence)
