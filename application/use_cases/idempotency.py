"""Idempotency-Key handling: the same key and payload give the stored answer, run once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from application.errors import IdempotencyConflict, IdempotencyInProgress
from application.ports import Clock, IdempotencyState, IdempotencyStore, StoredResponse
from application.timing.backoff import POLL_PAUSES
from application.timing.deadline import Deadline

DEFAULT_TTL_SECONDS = 15 * 60


class IdempotentRunner:
    """Run an action at most once per key.

    Rules:
    - Same key + same payload fingerprint: the stored response, byte for byte.
    - Same key + different payload: ``IdempotencyConflict`` (HTTP 409).
    - Concurrent duplicates: one runs, the others wait for its response (up to
      ``wait_seconds`` and never past the hand-off's deadline, then ``IdempotencyInProgress``).
    - Only successful (2xx) responses are kept: a failure releases the key so a retry runs.
    """

    def __init__(
        self,
        store: IdempotencyStore,
        clock: Clock,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        lease_seconds: float = 30.0,
        wait_seconds: float = 15.0,
    ) -> None:
        self._store = store
        self._clock = clock
        self._ttl = ttl_seconds
        self._lease = lease_seconds
        self._wait = wait_seconds

    async def run(
        self,
        key: str,
        fingerprint: str,
        action: Callable[[], Awaitable[StoredResponse]],
        deadline: Deadline | None = None,
    ) -> tuple[StoredResponse, bool]:
        """Return ``(response, replayed)``; waiting on a duplicate in flight ends at
        ``deadline`` (the hand-off's) at the latest."""
        wait = self._wait if deadline is None else min(self._wait, deadline.remaining())
        waiting = Deadline(self._clock, wait)
        pauses = POLL_PAUSES.delays()
        while True:
            record = await self._store.begin(key, fingerprint, self._lease)
            if record.state is IdempotencyState.STARTED:
                break
            if record.state is IdempotencyState.REPLAY and record.response is not None:
                return record.response, True
            if record.state is IdempotencyState.CONFLICT:
                raise IdempotencyConflict(
                    "Idempotency-Key was already used with a different payload"
                )
            if waiting.expired():
                raise IdempotencyInProgress(
                    "A request with this Idempotency-Key is still being processed; retry shortly"
                )
            await asyncio.sleep(next(pauses))
        try:
            response = await action()
        except BaseException:
            await asyncio.shield(self._store.abandon(key, fingerprint))
            raise
        if 200 <= response.status < 300:
            await self._store.complete(key, fingerprint, response, self._ttl)
        else:
            await self._store.abandon(key, fingerprint)
        return response, False
