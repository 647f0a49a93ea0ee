"""The shared helpdesk budget as filing reads it: advice on when the helpdesk may be called.

A filing checks it before calling the helpdesk and a delivery before attempting an item; both
read it the same way, so a budget that cannot be read never refuses a hand-off.
"""

from __future__ import annotations

from application.errors import HelpdeskUnavailable, StoreUnavailable
from application.ports import HelpdeskBudget
from application.timing.deadline import MIN_ATTEMPT_SECONDS, Deadline


async def blocked_for(budget: HelpdeskBudget | None) -> float:
    """Seconds the helpdesk may not be called; 0.0 without a budget or when it cannot be read -
    the budget is advice (the helpdesk's own 429 still protects it), never a reason to refuse."""
    if budget is None:
        return 0.0
    try:
        return await budget.blocked_for()
    except StoreUnavailable:
        return 0.0


async def refuse_if_out_of_time(budget: HelpdeskBudget | None, limit: Deadline | None) -> None:
    """Raise ``HelpdeskUnavailable`` (no call made) when the helpdesk may not be called before
    too little of ``limit`` is left for a call, or too little is left already."""
    if limit is None:
        return
    blocked = await blocked_for(budget)
    if blocked > 0.0 and not limit.allows(blocked + MIN_ATTEMPT_SECONDS):
        raise HelpdeskUnavailable(
            "The helpdesk asked the bridge to wait; retry later", retry_after=blocked
        )
    if not limit.allows(MIN_ATTEMPT_SECONDS):
        raise HelpdeskUnavailable("Too little time was left to reach the helpdesk")
