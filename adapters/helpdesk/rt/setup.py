"""Is Request Tracker set up for the bridge? The two ticket custom fields it writes and queries
(``RT_EXTERNAL_REF_FIELD``, ``RT_CALLER_FIELD``) must exist and apply to ``RT_QUEUE``.

RT does not complain about a missing one: a create silently drops an unknown custom field, and
TicketSQL on one finds nothing - so without this check dedup after a restart, or a caller's
tickets, would quietly find nothing. The service asks once at start-up and logs what is missing
(docs/helpdesks.md): hand-offs are still filed, so it does not refuse to start.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

import httpx

from adapters.helpdesk.http_gateway import answer
from adapters.helpdesk.resilience.calls import Resilience
from application.timing.deadline import Deadline

TICKET_FIELD = "RT::Queue-RT::Ticket"
"""RT's lookup type of a ticket custom field (not a queue's or a transaction's)."""


async def missing_custom_fields(
    client: httpx.AsyncClient,
    resilience: Resilience,
    queue: str,
    wanted: tuple[str, ...],
    deadline: Deadline | None = None,
) -> list[str]:
    """The names in ``wanted`` that are not ticket custom fields applied to ``queue`` (global
    ones included), as RT's ``GET /queue/{id}/customfields`` lists them for the bridge's user.
    Raises the port's errors when RT cannot be asked."""
    shown = await answer(
        resilience,
        "check_setup",
        partial(client.get, f"/queue/{quote(queue, safe='')}"),
        deadline,
        replay_safe=True,
        read_only=True,
    )
    queue_id = str(shown.body.get("id", ""))
    if not queue_id.isdigit():
        raise shown.bad("the queue has no numeric id")
    params = {"fields": "Name,LookupType", "per_page": "100"}
    listed = await answer(
        resilience,
        "check_setup",
        partial(client.get, f"/queue/{queue_id}/customfields", params=params),
        deadline,
        replay_safe=True,
        read_only=True,
    )
    items = listed.field("items", list, "no custom field list in the answer")
    names = {
        item.get("Name")
        for item in items
        if isinstance(item, dict) and item.get("LookupType", TICKET_FIELD) == TICKET_FIELD
    }
    return [name for name in wanted if name not in names]
