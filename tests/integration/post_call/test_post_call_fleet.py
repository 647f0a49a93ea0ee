"""The post-call webhook across a fleet (STORE_BACKEND=redis, two instances, one helpdesk): the
same event sent to both at once - ElevenLabs retrying while the first still runs - appends one
note, and a hand-off queued by one instance gets the note another instance received, once.

Needs a real Redis at ``REDIS_URL``: fails under CI, skipped elsewhere when there is none."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers

from adapters.clock import SystemClock
from adapters.helpdesk.mock import MockHelpdesk
from entrypoints.bootstrap.container import Container, close_container, open_container
from entrypoints.config.settings import load_settings
from entrypoints.service.app import service_app
from entrypoints.workers.delivery import DeliveryWorker
from tests.support.e2e.processes import TOKEN
from tests.support.e2e.requests import handoff, note
from tests.support.post_call_samples import (
    POST_CALL,
    SECRET,
    encoded,
    signature_headers,
    transcription,
)

pytestmark = pytest.mark.redis


class Fleet:
    """Two instances on one Redis prefix and one (mock) helpdesk."""

    def __init__(self, containers: list[Container], helpdesk: MockHelpdesk) -> None:
        self.containers = containers
        self.helpdesk = helpdesk
        self.apps = [service_app(container) for container in containers]

    def client(self, n: int) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.apps[n], client=("127.0.0.1", 40000 + n))
        return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000")


@pytest.fixture
async def fleet(redis_url: str, prefix: str) -> AsyncIterator[Fleet]:
    env = {
        "AUTH_TOKEN": TOKEN,
        "ELEVENLABS_WEBHOOK_SECRET": SECRET,
        "STORE_BACKEND": "redis",
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": prefix,
        "RATE_LIMIT_PER_SECOND": "100000",
    }
    helpdesk = MockHelpdesk(SystemClock(), latency_seconds=0.05)
    containers = []
    for _ in range(2):
        container = await open_container(load_settings(env, env_file="/nonexistent"))
        container.helpdesk.override(providers.Object(helpdesk))
        containers.append(container)
    try:
        yield Fleet(containers, helpdesk)
    finally:
        for container in containers:
            await close_container(container)


async def test_the_same_event_at_two_instances_at_once_appends_one_note(fleet: Fleet) -> None:
    conversation = f"conv_{uuid.uuid4().hex[:10]}"
    body = encoded(transcription(conversation))
    async with fleet.client(0) as one, fleet.client(1) as other:
        filed = await handoff(one, {"note": note("WiFi drops"), "oaKey": conversation})
        ticket_id = filed.json()["ticketId"]
        answers = await asyncio.gather(
            *(
                client.post(POST_CALL, content=body, headers=signature_headers(body))
                for client in (one, other, one, other)
            )
        )
    assert [answer.status_code for answer in answers] == [200] * 4
    assert {answer.json()["ticketId"] for answer in answers} == {ticket_id}
    assert len(fleet.helpdesk.tickets[ticket_id].notes) == 1


async def test_a_hand_off_queued_by_one_instance_gets_the_note_another_received(
    fleet: Fleet,
) -> None:
    conversation = f"conv_{uuid.uuid4().hex[:10]}"
    body = encoded(transcription(conversation))
    fleet.helpdesk.healthy = False
    async with fleet.client(0) as one, fleet.client(1) as other:
        queued = await handoff(one, {"note": note("WiFi drops"), "oaKey": conversation})
        kept = await other.post(POST_CALL, content=body, headers=signature_headers(body))
        retried = await one.post(POST_CALL, content=body, headers=signature_headers(body))
    assert queued.status_code == 202
    assert (kept.json()["outcome"], kept.json()["ticketId"]) == (
        "queued",
        queued.json()["ticketId"],
    )
    assert retried.json() == kept.json()

    fleet.helpdesk.healthy = True
    container = fleet.containers[1]
    worker = DeliveryWorker(container.outbox(), container.deliver_handoff().execute, SystemClock())
    assert await worker.run_once() == 1
    [ticket] = fleet.helpdesk.tickets.values()
    assert len(ticket.notes) == 1
