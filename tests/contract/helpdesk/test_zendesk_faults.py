"""Zendesk faults survived or reported: 429 + Retry-After, 5xx, timeouts (retrying only what is
safe to replay), a slow first attempt, and the circuit as ``/readyz`` sees it. Time is a
controllable clock: no real waits beyond a fraction of a second."""

from __future__ import annotations

import httpx
import pytest

from adapters.helpdesk.resilience.circuit import CircuitBreaker, CircuitState
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk
from application.errors import HelpdeskUnavailable
from entrypoints.http.routes.health import ReadinessChecks
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.harness import make_zendesk_gateway, sent
from tests.support.helpdesk.zendesk_fake import FakeZendesk, Fault
from tests.support.helpdesk_samples import hand_off

KEY = "oa:conv-1"
FILED = hand_off(KEY, "req-1")


async def test_429_waits_for_retry_after_then_succeeds(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    fake_zendesk.inject(Fault(respond=httpx.Response(429, headers={"Retry-After": "2"})))
    ref = await gateway.create_ticket(FILED)
    assert ref.id == "101"
    assert fake_time.sleeps == [2.0]
    assert len(fake_zendesk.tickets) == 1


async def test_429_with_retry_after_past_the_budget_fails_at_once(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    fake_zendesk.inject(Fault(respond=httpx.Response(429, headers={"Retry-After": "60"})))
    with pytest.raises(HelpdeskUnavailable) as caught:
        await gateway.create_ticket(FILED)
    assert caught.value.details is not None
    assert caught.value.details["retryAfterSeconds"] == caught.value.retry_after == 60.0
    assert fake_time.sleeps == []
    assert len(sent(fake_zendesk, "POST")) == 1  # the 429'd create, then no call at all
    assert fake_zendesk.requests[-1].url.path == "/api/v2/tickets"


async def test_5xx_on_create_is_retried_with_backoff(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    fake_zendesk.inject(Fault(respond=httpx.Response(503)), Fault(respond=httpx.Response(500)))
    ref = await gateway.create_ticket(FILED)
    assert ref.id == "101"
    assert fake_time.sleeps == [0.2, 0.4]  # full jitter with rng=1.0: the ceilings
    assert len(fake_zendesk.tickets) == 1


async def test_500_on_a_note_is_not_replayed(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ref = await gateway.create_ticket(FILED)
    fake_zendesk.inject(Fault(respond=httpx.Response(500), method="PUT"))
    with pytest.raises(HelpdeskUnavailable):
        await gateway.append_note(ref.id, "Still down", None)
    assert len(sent(fake_zendesk, "PUT")) == 1


async def test_503_and_connect_errors_on_a_note_are_retried_once_each(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ref = await gateway.create_ticket(FILED)
    fake_zendesk.inject(
        Fault(respond=httpx.Response(503, headers={"Retry-After": "1"}), method="PUT"),
        Fault(error=httpx.ConnectError("connection refused"), method="PUT"),
    )
    await gateway.append_note(ref.id, "Still down", None)
    assert fake_zendesk.notes(ref.id) == ["Still down"]


# --- timeouts: retry only what is safe to replay ------------------------------------------------


async def test_a_note_that_may_have_landed_is_not_replayed(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    ref = await gateway.create_ticket(FILED)
    fake_zendesk.inject(Fault(error=httpx.ReadTimeout("read timed out"), after=True, method="PUT"))
    with pytest.raises(HelpdeskUnavailable):
        await gateway.append_note(ref.id, "Still down", None)
    assert fake_zendesk.notes(ref.id) == ["Still down"]  # landed once, never twice


async def test_a_create_whose_answer_was_lost_is_retried_into_the_same_ticket(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.inject(Fault(error=httpx.ReadTimeout("read timed out"), after=True))
    ref = await gateway.create_ticket(FILED)
    assert len(fake_zendesk.tickets) == 1
    assert ref.id == "101"
    first, retry = sent(fake_zendesk, "POST")
    assert first.headers["Idempotency-Key"] == retry.headers["Idempotency-Key"] == "req-1"


async def test_a_slow_first_attempt_then_a_retry_opens_one_ticket(
    client: httpx.AsyncClient,
    fake_time: FakeTime,
    breaker: CircuitBreaker,
    fake_zendesk: FakeZendesk,
) -> None:
    gateway = make_zendesk_gateway(client, fake_time, breaker, attempt_timeout_seconds=0.1)
    fake_zendesk.inject(Fault(delay=2.0))  # lands, then answers too late for the attempt
    ref = await gateway.create_ticket(FILED)
    assert ref.id == "101"
    assert len(fake_zendesk.tickets) == 1
    assert len(sent(fake_zendesk, "POST")) == 2


async def test_a_create_without_request_key_is_not_replayed_after_a_timeout(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk
) -> None:
    fake_zendesk.inject(Fault(error=httpx.ReadTimeout("read timed out"), after=True))
    with pytest.raises(HelpdeskUnavailable):
        await gateway.create_ticket(hand_off(KEY))
    assert len(fake_zendesk.tickets) == 1


async def test_persistent_timeouts_give_up_inside_the_budget(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    fake_zendesk.inject(*[Fault(error=httpx.ReadTimeout("read timed out")) for _ in range(10)])
    with pytest.raises(HelpdeskUnavailable) as caught:
        await gateway.find_open_ticket(["oa:conv-1"])
    assert len(fake_zendesk.requests) == 3  # the circuit (threshold 3) stops the 4th attempt
    assert caught.value.details is not None
    assert caught.value.details["reason"] == "ReadTimeout"
    assert sum(fake_time.sleeps) < 8.0


# --- the circuit --------------------------------------------------------------------------------


async def test_the_circuit_opens_fails_fast_and_closes_after_a_good_trial(
    gateway: ZendeskHelpdesk,
    fake_zendesk: FakeZendesk,
    fake_time: FakeTime,
    breaker: CircuitBreaker,
) -> None:
    fake_zendesk.inject(*[Fault(error=httpx.ConnectError("refused")) for _ in range(3)])
    with pytest.raises(HelpdeskUnavailable):
        await gateway.create_ticket(FILED)
    assert breaker.state is CircuitState.OPEN
    calls = len(fake_zendesk.requests)

    with pytest.raises(HelpdeskUnavailable) as caught:
        await gateway.create_ticket(FILED)
    assert caught.value.details == {"operation": "create_ticket", "circuit": "open"}
    assert await gateway.check_health() is False
    assert len(fake_zendesk.requests) == calls  # failed fast: nothing sent

    fake_time.now += 30.0
    assert breaker.state is CircuitState.HALF_OPEN
    assert await gateway.check_health() is True  # the trial call
    assert breaker.state is CircuitState.CLOSED
    ref = await gateway.create_ticket(FILED)
    assert ref.id == "101"


async def test_a_failed_trial_reopens_the_circuit(
    gateway: ZendeskHelpdesk,
    fake_zendesk: FakeZendesk,
    fake_time: FakeTime,
    breaker: CircuitBreaker,
) -> None:
    fake_zendesk.inject(*[Fault(respond=httpx.Response(502)) for _ in range(4)])
    with pytest.raises(HelpdeskUnavailable):
        await gateway.find_open_ticket(["oa:conv-1"])
    assert breaker.state is CircuitState.OPEN
    fake_time.now += 30.0
    assert await gateway.check_health() is False  # the trial meets the 4th 502
    assert breaker.state is CircuitState.OPEN
    fake_time.now += 29.0
    assert breaker.state is CircuitState.OPEN
    fake_time.now += 1.0
    assert await gateway.find_open_ticket(["oa:conv-1"]) is None
    assert breaker.state is CircuitState.CLOSED


async def test_readiness_turns_unhealthy_as_the_circuit_opens_and_back_after_a_good_trial(
    gateway: ZendeskHelpdesk, fake_zendesk: FakeZendesk, fake_time: FakeTime
) -> None:
    checks = ReadinessChecks({"helpdesk": gateway}, cache_seconds=10, clock=fake_time)
    assert await checks.results() == {"helpdesk": True}
    fake_zendesk.inject(*[Fault(error=httpx.ConnectError("refused")) for _ in range(3)])
    with pytest.raises(HelpdeskUnavailable):
        await gateway.create_ticket(FILED)  # three refused attempts open the circuit
    probes = len(sent(fake_zendesk, "GET"))
    assert await checks.results() == {"helpdesk": False}  # inside the cache window: known
    assert len(sent(fake_zendesk, "GET")) == probes

    fake_time.now = 10_000.0  # past the cache and the circuit's 30 s: the probe is the trial
    assert await checks.results() == {"helpdesk": True}
    assert len(sent(fake_zendesk, "GET")) == probes + 1
