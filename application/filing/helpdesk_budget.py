"""The shared helpdesk budget as filing reads it: advice on when the helpdesk may be called.

A filing checks it before calling the helpdesk and a delivery before attempting an item; both
read it the same way, so a budget that cannot be read never refuses a hand-off.
"""

from __future__ import annotations

from application.errors import StoreUnavailable
from application.ports import HelpdeskBudget


async def blocked_for(budget: HelpdeskBudget | None) -> float:
    """Seconds the helpdesk may not be called; 0.0 without a budget or when it cannot be read -
    the budget is advice (the helpdesk's own 429 still protects it), never a reason to refuse."""
    if budget is None:
        return 0.0
    try:
        return await budget.blocked_for()
    except StoreUnavailable:
        return 0.0
