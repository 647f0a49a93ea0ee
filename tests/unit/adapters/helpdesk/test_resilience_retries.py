"""The shared retry rules, without any helpdesk: what is retried, how long it pauses, and the
budget that bounds a call. Scripted outcomes, a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.resilience.policy import RetryPolicy, retry_after_seconds
from application.errors import HelpdeskUnavailable
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.scripted import Outcome, Script, ok, resilience


async def test_a_good_answer_returns_at_once(fake_time: FakeTime) -> None:
    script = Script(ok())
    response = await resilience(fake_time).send("op", script, replay_safe=False)
    assert response.status_code == 200
    assert (script.calls, fake_time.sleeps) == (1, [])


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422])
async def test_client_errors_are_returned_not_retried(fake_time: FakeTime, status: int) -> None:
    script = Script(httpx.Response(status))
    response = await resilience(fake_time).send("op", script, replay_safe=True)
    assert response.status_code == status
    assert script.calls == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow handshake"),
        httpx.PoolTimeout("no connection free"),
        httpx.Response(429),
        httpx.Response(503),
    ],
    ids=["connect-error", "connect-timeout", "pool-timeout", "429", "503"],
)
async def test_failures_that_surely_did_not_land_are_always_retried(
    fake_time: FakeTime, failure: Outcome
) -> None:
    script = Script(failure, ok())
    response = await resilience(fake_time).send("op", script, replay_safe=False)
    assert response.status_code == 200
    assert script.calls == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("no answer"),
        httpx.WriteTimeout("stuck sending"),
        httpx.RemoteProtocolError("connection dropped"),
        httpx.Response(500),
        httpx.Response(502),
        httpx.Response(504),
    ],
    ids=["read-timeout", "write-timeout", "dropped", "500", "502", "504"],
)
async def test_failures_that_may_have_landed_are_retried_only_when_replay_safe(
    fake_time: FakeTime, failure: Outcome
) -> None:
    unsafe = Script(failure, ok())
    with pytest.raises(HelpdeskUnavailable):
        await resilience(fake_time).send("op", unsafe, replay_safe=False)
    assert unsafe.calls == 1

    safe = Script(failure, ok())
    assert (await resilience(fake_time).send("op", safe, replay_safe=True)).status_code == 200
    assert safe.calls == 2


async def test_backoff_grows_with_full_jitter_up_to_the_cap(fake_time: FakeTime) -> None:
    script = Script(*[httpx.Response(503)] * 5, ok())
    policy = {"max_attempts": 6, "base_delay_seconds": 0.5, "max_delay_seconds": 1.5}
    await resilience(fake_time, budget_seconds=100.0, **policy).send("op", script, replay_safe=True)
    assert fake_time.sleeps == [0.25, 0.5, 0.75, 0.75, 0.75]  # rng 0.5 x min(1.5, 0.5 * 2**n)


def test_backoff_stays_within_its_ceiling() -> None:
    policy = RetryPolicy(base_delay_seconds=0.2, max_delay_seconds=2.0)
    assert policy.backoff(0, lambda: 1.0) == pytest.approx(0.2)
    assert policy.backoff(10, lambda: 1.0) == pytest.approx(2.0)
    assert policy.backoff(3, lambda: 0.0) == 0.0


async def test_retry_after_is_honoured(fake_time: FakeTime) -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3"}), ok())
    await resilience(fake_time).send("op", script, replay_safe=False)
    assert fake_time.sleeps == [3.0]


async def test_a_pause_past_the_budget_gives_up_without_sleeping(fake_time: FakeTime) -> None:
    script = Script(httpx.Response(503, headers={"Retry-After": "10"}), ok())
    with pytest.raises(HelpdeskUnavailable) as caught:
        await resilience(fake_time, budget_seconds=8.0).send("op", script, replay_safe=True)
    assert fake_time.sleeps == []
    assert caught.value.details == {
        "operation": "op",
        "attempts": 1,
        "reason": "http_503",
        "retryAfterSeconds": 10.0,
    }


async def test_attempts_are_bounded(fake_time: FakeTime) -> None:
    script = Script(*[httpx.ConnectError("refused")] * 10)
    with pytest.raises(HelpdeskUnavailable):
        await resilience(fake_time, max_attempts=3).send("op", script, replay_safe=True)
    assert script.calls == 3


async def test_single_attempt_mode_does_not_retry(fake_time: FakeTime) -> None:
    script = Script(httpx.ConnectError("refused"), ok())
    with pytest.raises(HelpdeskUnavailable):
        await resilience(fake_time).send("health", script, replay_safe=True, retry=False)
    assert script.calls == 1


async def test_a_hung_attempt_is_cut_off_and_counts_as_maybe_landed() -> None:
    async def hang() -> httpx.Response:
        await asyncio.sleep(10)
        raise AssertionError("not reached")

    fast = Resilience(RetryPolicy(budget_seconds=0.3, attempt_timeout_seconds=0.05))
    with pytest.raises(HelpdeskUnavailable) as caught:
        await fast.send("op", hang, replay_safe=False)
    assert caught.value.details is not None
    assert caught.value.details["reason"] == "attempt_timeout"


async def test_the_whole_call_stays_inside_the_budget() -> None:
    calls = 0

    async def hang() -> httpx.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(10)
        raise AssertionError("not reached")

    loop = asyncio.get_running_loop()
    policy = RetryPolicy(
        budget_seconds=0.6, attempt_timeout_seconds=0.2, max_attempts=9, base_delay_seconds=0.001
    )
    fast = Resilience(policy)
    started = loop.time()
    with pytest.raises(HelpdeskUnavailable):
        await fast.send("op", hang, replay_safe=True)
    assert loop.time() - started < 0.9
    assert calls == 2  # a third attempt could not have had MIN_ATTEMPT_SECONDS left


async def test_other_httpx_errors_become_helpdesk_unavailable(fake_time: FakeTime) -> None:
    script = Script(httpx.DecodingError("garbled"))
    with pytest.raises(HelpdeskUnavailable):
        await resilience(fake_time).send("op", script, replay_safe=True)
    assert script.calls == 1


# --- Retry-After parsing -------------------------------------------------------------------------


def with_retry_after(value: str) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": value})


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), (" 2.5 ", 2.5), ("-3", 0.0), ("soon", None)],
)
def test_retry_after_in_seconds(header: str, expected: float | None) -> None:
    assert retry_after_seconds(with_retry_after(header)) == expected


def test_retry_after_as_an_http_date() -> None:
    later: Callable[[int], str] = lambda s: format_datetime(  # noqa: E731
        datetime.now(UTC) + timedelta(seconds=s), usegmt=True
    )
    seconds = retry_after_seconds(with_retry_after(later(20)))
    assert seconds is not None
    assert 15 <= seconds <= 21


def test_no_retry_after() -> None:
    assert retry_after_seconds(httpx.Response(429)) is None
