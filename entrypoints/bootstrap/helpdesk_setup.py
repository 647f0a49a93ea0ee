"""At start-up: is the helpdesk set up for the bridge? Said once, loudly, in the log.

Request Tracker silently drops a custom field it does not have and finds nothing by one, so a
missing ``RT_EXTERNAL_REF_FIELD`` (dedup after a restart) or ``RT_CALLER_FIELD`` (a caller's
tickets) would otherwise go unnoticed. The service still starts - hand-offs are filed either
way, and refusing would take a working bridge down over a lesser feature - but it logs
``helpdesk.setup_incomplete`` (error) naming each missing field, its setting and the fix.
A helpdesk without such a check (mock, Zendesk) is not asked; one that cannot be asked now
(down, slow) gets ``helpdesk.setup_unchecked`` (warning) and is not asked again.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, runtime_checkable

import structlog

from application.errors import HelpdeskBadResponse, HelpdeskUnavailable

SETUP_CHECK_SECONDS = 5.0
FIX_HINT = (
    "create each field in RT (Admin > Custom Fields: a ticket field, 'Enter one value') and "
    "apply it to the queue or globally, then restart; scripts/rt-up.sh does this for a test RT"
)


@runtime_checkable
class ChecksSetup(Protocol):
    """A gateway that can say what its helpdesk lacks for the bridge (``RtHelpdesk``)."""

    async def check_setup(self) -> list[str]: ...


async def report_helpdesk_setup(gateway: object) -> None:
    """Ask ``gateway`` (when it can be asked) and log what is missing; never raises for the
    helpdesk's failures, and waits at most ``SETUP_CHECK_SECONDS``."""
    if not isinstance(gateway, ChecksSetup):
        return
    log = structlog.get_logger("helpdesk_bridge.helpdesk")
    try:
        problems = await asyncio.wait_for(gateway.check_setup(), SETUP_CHECK_SECONDS)
    except (HelpdeskUnavailable, HelpdeskBadResponse, TimeoutError) as e:
        log.warning("helpdesk.setup_unchecked", reason=type(e).__name__)
        return
    if problems:
        log.error("helpdesk.setup_incomplete", problems=problems, hint=FIX_HINT)
    else:
        log.info("helpdesk.setup_checked")
