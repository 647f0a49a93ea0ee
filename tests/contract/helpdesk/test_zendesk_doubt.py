"""Zendesk and one ticket per problem: a create retried with its Idempotency-Key, Zendesk's
refusals of a key (409 in progress, 400 reused with another body) resolved by the
``external_id`` look-up, doubt reported when a create may have landed, and the shared budget
honouring a Retry-After across instances. The stateful fake, checked against Zendesk's OpenAPI
description; time is a fake clock."""

from __future__ import annotations

import uuid

import httpx
import msgspec
import pytest

from adapters.helpdesk.resilience.circuit import CircuitBreaker
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk
from adapters.stores.memory_budget import MemoryHelpdeskBudget
from adapters.stores.redis.budget import RedisHelpdeskBudget
from application.errors import HelpdeskUnavailable
from entrypoints.bootstrap.redis_client import redis_client
from entrypoints.config.settings import RedisSettings
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.harness import make_zendesk_gateway, sent
from tests.support.helpdesk.scripted import FakeClock, deadline
from tests.support.helpdesk.zendesk_fake import FakeZendesk, Fault
from tests.support.helpdesk_samples import hand_off

KEY = "oa:conv-1"
FILED = hand_off(KEY, "derived-create-key")


def in_progress() -> Fault:
    return Fault(respond=httpx.Response(409, json={"error": "Conflict"}), method="POST")


async def test_a_409_for_a_create_that_landed_answers_with_its_ticket(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    first = await gateway.create_ticket(FILED)
    fake_zendesk.inject(in_progress())
    again = await gateway.create_ticket(FILED)
    assert again.id == first.id
    assert len(fake_zendesk.tickets) == 1
    assert sent(fake_zendesk, "GET")[-1].url.params["external_id"] == KEY


async def test_a_409_with_nothing_found_yet_is_doubt(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.inject(in_progress())
    with pytest.raises(HelpdeskUnavailable) as caught:
        await gateway.create_ticket(FILED)
    assert caught.value.uncertain is True
    assert fake_zendesk.tickets == {}


async def test_a_409_whose_look_up_fails_is_doubt_too(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.inject(in_progress(), *[Fault(error=httpx.ConnectError("x"), method="GET")] * 4)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await gateway.create_ticket(FILED)
    assert caught.value.uncertain is True


async def test_a_key_reused_with_another_body_resolves_to_the_problems_ticket(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    first = await gateway.create_ticket(FILED)
    changed = msgspec.structs.replace(FILED, body=FILED.body + "\nCaller rang back.")
    again = await gateway.create_ticket(changed)
    assert again.id == first.id
    assert len(fake_zendesk.tickets) == 1
    (_, refused) = sent(fake_zendesk, "POST")
    assert refused.headers["Idempotency-Key"] == "derived-create-key"


@pytest.mark.parametrize(
    ("fault", "uncertain", "tickets"),
    [
        (Fault(error=httpx.ReadTimeout("answer lost"), after=True), True, 1),
        (Fault(error=httpx.RemoteProtocolError("dropped"), after=True), True, 1),
        (Fault(respond=httpx.Response(500)), True, 0),
        (Fault(error=httpx.ConnectError("refused")), False, 0),
        (Fault(respond=httpx.Response(503)), False, 0),
    ],
    ids=["answer-lost", "dropped-after-landing", "500", "connect-error", "503"],
)
async def test_a_create_that_keeps_failing_says_whether_it_may_have_landed(
    gateway: ZendeskHelpdesk,
    fake_zendesk: FakeZendesk,
    fake_time: FakeTime,
    fault: Fault,
    uncertain: bool,
    tickets: int,
) -> None:
    fake_zendesk.inject(*[fault] * 8)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await gateway.create_ticket(FILED, deadline(fake_time, 10.0))
    assert caught.value.uncertain is uncertain
    assert len(fake_zendesk.tickets) == tickets  # every retry carried the same key
    keys = {r.headers["Idempotency-Key"] for r in sent(fake_zendesk, "POST")}
    assert keys == {"derived-create-key"}


async def test_a_retry_after_is_shared_so_no_instance_calls_while_it_runs(
    client: httpx.AsyncClient, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    """Zendesk 429 with Retry-After 30: 20 hand-offs over two instances make one call."""
    budget = MemoryHelpdeskBudget(FakeClock(fake_time))
    instances = [
        make_zendesk_gateway(client, fake_time, CircuitBreaker(clock=fake_time), budget)
        for _ in range(2)
    ]
    fake_zendesk.inject(Fault(respond=httpx.Response(429, headers={"Retry-After": "30"})))
    waits = []
    for n in range(20):
        with pytest.raises(HelpdeskUnavailable) as caught:
            await instances[n % 2].create_ticket(
                hand_off(f"oa:{n}", f"k{n}"), deadline(fake_time, 10)
            )
        waits.append(caught.value.retry_after)
        fake_time.now += 1.0
    assert len(sent(fake_zendesk, "POST")) == 1  # the 429'd create, then no call at all
    assert fake_zendesk.requests[-1].url.path == "/api/v2/tickets"
    assert waits == [30.0 - n for n in range(20)]
    fake_time.now += 10.0
    ticket = await instances[1].create_ticket(FILED, deadline(fake_time, 10))
    assert ticket.id == "101"
    assert fake_time.sleeps == []


@pytest.mark.redis
async def test_a_retry_after_reaches_the_other_instances_through_redis(
    client: httpx.AsyncClient, fake_zendesk: FakeZendesk, fake_time: FakeTime, redis_url: str
) -> None:
    namespace = f"hdb-test:{uuid.uuid4().hex}:"
    clients = [redis_client(RedisSettings(url=redis_url)) for _ in range(2)]
    first, other = (
        make_zendesk_gateway(
            client, fake_time, CircuitBreaker(clock=fake_time), RedisHelpdeskBudget(r, namespace)
        )
        for r in clients
    )
    fake_zendesk.inject(Fault(respond=httpx.Response(429, headers={"Retry-After": "30"})))
    try:
        with pytest.raises(HelpdeskUnavailable) as refused:
            await first.create_ticket(FILED, deadline(fake_time, 10))
        with pytest.raises(HelpdeskUnavailable) as held_back:
            await other.create_ticket(FILED, deadline(fake_time, 10))
    finally:
        await clients[0].delete(f"{namespace}budget:blocked")
        for r in clients:
            await r.aclose()
    assert refused.value.retry_after == 30.0
    assert held_back.value.retry_after is not None
    assert 25.0 < held_back.value.retry_after <= 30.0
    assert len(sent(fake_zendesk, "POST")) == 1  # the 429'd create, then no call at all
    assert fake_zendesk.requests[-1].url.path == "/api/v2/tickets"
