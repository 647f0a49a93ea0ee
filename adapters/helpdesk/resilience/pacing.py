"""The shared ``HelpdeskBudget`` as every helpdesk call consults it: before an attempt, wait for
the helpdesk's remembered Retry-After and the bridge's own pace - only when the wait still
leaves time for the attempt - or refuse at once without calling; after a 429/503 with a
Retry-After, remember it for every process sharing the budget.

The budget is advice, not the record: when its store fails (Redis down) the call goes ahead
as if there were no budget, and the failure is logged. A hand-off must not be refused because
the pace could not be read - the helpdesk's own 429 still protects it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from application.errors import StoreUnavailable
from application.ports import HelpdeskBudget
from application.timing.deadline import MIN_ATTEMPT_SECONDS, Deadline

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why no attempt may start: ``reason`` (``retry_after``: the helpdesk asked us to wait;
    ``pace``: our calls per minute are spent) and the seconds until one could."""

    reason: str
    seconds: float


class Pacing:
    """One backend's view of its ``HelpdeskBudget`` (None: no budget, nothing to wait for)."""

    def __init__(self, budget: HelpdeskBudget | None, sleep: Sleep) -> None:
        self._budget = budget
        self._sleep = sleep

    async def turn(self, operation: str, deadline: Deadline, *, paced: bool) -> Refusal | None:
        """Wait until an attempt may start (None), or say why it may not before ``deadline``
        (leaving ``MIN_ATTEMPT_SECONDS`` for the attempt). ``paced=False`` (health probes)
        skips the pace but still honours a remembered Retry-After."""
        budget = self._budget
        if budget is None:
            return None
        while True:
            refusal = Refusal("retry_after", await self._read(budget.blocked_for, operation))
            if refusal.seconds <= 0 and paced:
                refusal = Refusal("pace", await self._read(budget.take, operation))
            if refusal.seconds <= 0:
                return None
            if not deadline.allows(refusal.seconds + MIN_ATTEMPT_SECONDS):
                structlog.get_logger(__name__).info(
                    "helpdesk.budget_refused",
                    operation=operation,
                    reason=refusal.reason,
                    seconds=round(refusal.seconds, 3),
                )
                return refusal
            await self._sleep(refusal.seconds)

    async def remember(self, operation: str, retry_after: float) -> None:
        """Share the helpdesk's Retry-After with every process on this budget."""
        if self._budget is None or retry_after <= 0:
            return
        try:
            await self._budget.back_off(retry_after)
        except StoreUnavailable:
            _store_failed(operation)

    @staticmethod
    async def _read(call: Callable[[], Awaitable[float]], operation: str) -> float:
        try:
            return await call()
        except StoreUnavailable:
            _store_failed(operation)
            return 0.0


def _store_failed(operation: str) -> None:
    structlog.get_logger(__name__).warning("helpdesk.budget_unavailable", operation=operation)
