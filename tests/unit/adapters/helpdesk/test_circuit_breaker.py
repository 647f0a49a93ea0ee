"""The circuit breaker, alone and inside ``Resilience``, and the known health it gives
``/readyz``. Scripted outcomes, a fake clock."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest

from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.resilience.circuit import CircuitBreaker, CircuitState
from application.errors import HelpdeskUnavailable
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.scripted import Script, ok, resilience


def test_the_breaker_opens_after_consecutive_failures_only(fake_time: FakeTime) -> None:
    breaker = CircuitBreaker(failure_threshold=3, reset_seconds=30.0, clock=fake_time)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()  # resets the count
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN
    assert breaker.allow() is False


def test_half_open_lets_one_trial_through(fake_time: FakeTime) -> None:
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=30.0, clock=fake_time)
    breaker.record_failure()
    fake_time.now += 29.9
    assert breaker.allow() is False
    fake_time.now += 0.1
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.allow() is True  # the trial
    assert breaker.allow() is False  # everyone else waits for its verdict
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.allow() is True


def test_a_failed_trial_opens_the_circuit_for_another_period(fake_time: FakeTime) -> None:
    breaker = CircuitBreaker(failure_threshold=5, reset_seconds=30.0, clock=fake_time)
    for _ in range(5):
        breaker.record_failure()
    fake_time.now += 30.0
    assert breaker.allow() is True
    breaker.record_failure()  # one failure is enough in half-open
    assert breaker.state is CircuitState.OPEN
    fake_time.now += 29.0
    assert breaker.allow() is False


async def test_an_open_circuit_fails_fast_without_calling(fake_time: FakeTime) -> None:
    guarded = resilience(fake_time, threshold=2)
    with pytest.raises(HelpdeskUnavailable):
        await guarded.send("op", Script(*[httpx.ConnectError("refused")] * 4), replay_safe=True)
    script = Script(ok())
    with pytest.raises(HelpdeskUnavailable, match="circuit open"):
        await guarded.send("op", script, replay_safe=True)
    assert script.calls == 0


async def test_a_cancelled_trial_frees_the_half_open_slot(fake_time: FakeTime) -> None:
    guarded = resilience(fake_time, threshold=1)
    with pytest.raises(HelpdeskUnavailable):
        await guarded.send("op", Script(httpx.ConnectError("refused")), replay_safe=True)
    fake_time.now += 30.0
    with pytest.raises(asyncio.CancelledError):
        await guarded.send("op", Script(asyncio.CancelledError()), replay_safe=True)
    assert (await guarded.send("op", Script(ok()), replay_safe=True)).status_code == 200


async def test_rate_limiting_does_not_open_the_circuit(fake_time: FakeTime) -> None:
    guarded = resilience(fake_time, threshold=2)
    limited = Script(*[httpx.Response(429, headers={"Retry-After": "0"})] * 3, ok())
    assert (await guarded.send("op", limited, replay_safe=True)).status_code == 200
    assert guarded.breaker.state is CircuitState.CLOSED


# --- the known health /readyz reads ------------------------------------------------------------


def healthy(guarded: Resilience) -> bool | None:
    verdict = guarded.known_health()
    return None if verdict is None else verdict.healthy


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([ok()], True),
        ([httpx.Response(404)], True),  # an answer about a ticket: the helpdesk works
        ([httpx.Response(401)], False),  # it refuses our credentials
        ([httpx.Response(403)], False),
        ([httpx.ConnectError("refused")] * 2, False),
        ([httpx.Response(503), ok()], True),  # a retry that succeeded: the call succeeded
    ],
    ids=["200", "404", "401", "403", "unreachable", "retried-ok"],
)
async def test_every_call_leaves_its_verdict(
    fake_time: FakeTime, outcomes: list[httpx.Response | BaseException], expected: bool
) -> None:
    guarded = resilience(fake_time, max_attempts=2)
    assert healthy(guarded) is None
    with contextlib.suppress(HelpdeskUnavailable):  # the verdict is the point, not the error
        await guarded.send("op", Script(*outcomes), replay_safe=True)
    assert healthy(guarded) is expected


async def test_an_open_circuit_reads_unhealthy_until_a_trial_succeeds(fake_time: FakeTime) -> None:
    guarded = resilience(fake_time, threshold=1)
    await guarded.send("op", Script(ok()), replay_safe=True)
    with pytest.raises(HelpdeskUnavailable):
        await guarded.send("op", Script(httpx.ConnectError("refused")), replay_safe=False)
    fake_time.now += 30.0  # half-open: still no evidence that it works again
    assert healthy(guarded) is False
    await guarded.send("op", Script(ok()), replay_safe=True)
    assert healthy(guarded) is True


@pytest.mark.parametrize(
    ("answer", "judged", "expected"),
    [(ok(), True, True), (ok(), False, False), (httpx.Response(500), True, False)],
    ids=["proves-it", "judged-wrong", "5xx"],
)
async def test_a_probe_records_its_own_judgement(
    fake_time: FakeTime, answer: httpx.Response, judged: bool, expected: bool
) -> None:
    guarded = resilience(fake_time)
    assert await guarded.probe("check_health", Script(answer), lambda _r: judged) is expected
    assert healthy(guarded) is expected


async def test_a_probe_that_meets_a_bug_of_ours_raises(fake_time: FakeTime) -> None:
    guarded = resilience(fake_time)

    def judge(_response: httpx.Response) -> bool:
        raise KeyError("a field we forgot")

    with pytest.raises(KeyError):
        await guarded.probe("check_health", Script(ok()), judge)
