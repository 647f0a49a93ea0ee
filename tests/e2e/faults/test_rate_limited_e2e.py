"""Zendesk answering 429 with Retry-After 30 (issue 10, "Done when"): hand-offs are queued at
once, with no helpdesk call each while the Retry-After runs, and delivered once each after it.

The numbers are the issue's: 20 hand-offs, Retry-After 30 s (the stand-in refuses for 30 s).
The first hand-off is the one that hears the 429 (its Retry-After passes the deadline, so it is
queued at once); the bridge remembers the wait, and the other 19 and every delivery attempt
until it ends make no helpdesk call at all - the stand-in counts every call it gets.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests.support.e2e import faults
from tests.support.e2e.processes import ServiceFactory
from tests.support.e2e.requests import unique
from tests.support.standin.client import StandinProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

HANDOFFS = 20
RETRY_AFTER = 30
AT_ONCE_SECONDS = 2.0  # "queued at once": no helpdesk call, one outbox write
REFERENCE = re.compile(r"^HB-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$")


async def test_a_429_retry_after_queues_without_calling_and_delivers_once_after_it(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory
) -> None:
    bridge = service_factory(faults.bridge_env(zendesk_standin))
    keys = [unique(f"limited-{n}") for n in range(HANDOFFS)]
    zendesk_standin.fail(429, retry_after=RETRY_AFTER, seconds=RETRY_AFTER)
    refused_at = time.monotonic()
    async with bridge.client() as client:
        first, first_seconds = await faults.timed_handoff(client, faults.problem(keys[0]))
        heard = zendesk_standin.calls()
        rest = await asyncio.gather(
            *(faults.timed_handoff(client, faults.problem(key)) for key in keys[1:])
        )
        after_rest = zendesk_standin.calls()
        await asyncio.sleep(max(0.0, RETRY_AFTER - 3 - (time.monotonic() - refused_at)))
        before_end = zendesk_standin.calls()  # the wait nearly over: still not one call

        assert heard["create"] == 0  # the first hand-off looked up its key (429): no create
        assert sum(heard.values()) >= 1
        assert after_rest == heard, (heard, after_rest)
        assert before_end == heard, (heard, before_end)
        answers = [(first, first_seconds), *rest]
        references = []
        for response, seconds in answers:
            assert response.status_code == 202, response.text
            body = response.json()
            assert (body["status"], body["queued"], body["created"]) == ("queued", True, True)
            assert REFERENCE.match(body["ticketId"]), body
            assert body["ticketUrl"].endswith(f"/handoffs/{body['ticketId']}")
            assert seconds < AT_ONCE_SECONDS, seconds
            references.append(body["ticketId"])
        assert len(set(references)) == HANDOFFS

        await faults.settled(client, zendesk_standin, references, keys, within=30)
    creates = zendesk_standin.creates()
    assert [create["status"] for create in creates] == [201] * HANDOFFS, creates
