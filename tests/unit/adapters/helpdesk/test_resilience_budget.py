"""The shared helpdesk budget as every call meets it: a Retry-After is remembered and honoured by
every later call (none calls the helpdesk while it runs past the deadline), the pace spreads
calls, and the helpdesk's own number reaches the caller. A memory budget on the fake clock."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest

from adapters.stores.memory_budget import MemoryHelpdeskBudget
from application.errors import HelpdeskUnavailable, StoreUnavailable
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.scripted import FakeClock, Script, deadline, ok, resilience
from tests.support.log_capture import emitted_lines, events


def asked_to_wait(status: int, seconds: str) -> httpx.Response:
    """A refusal whose header says ``seconds`` while its body says another number."""
    return httpx.Response(status, headers={"Retry-After": seconds}, json={"retry_after": 5})


@pytest.fixture
def budget(fake_time: FakeTime) -> MemoryHelpdeskBudget:
    return MemoryHelpdeskBudget(FakeClock(fake_time))


def paced(fake_time: FakeTime, per_minute: int) -> MemoryHelpdeskBudget:
    return MemoryHelpdeskBudget(FakeClock(fake_time), per_minute=per_minute)


@pytest.mark.parametrize("status", [429, 503])
async def test_a_retry_after_past_the_deadline_fails_at_once_with_the_helpdesks_number(
    fake_time: FakeTime, budget: MemoryHelpdeskBudget, status: int
) -> None:
    script = Script(asked_to_wait(status, "30"), ok())
    with pytest.raises(HelpdeskUnavailable) as caught:
        await resilience(fake_time, budget=budget).send(
            "create_ticket", script, replay_safe=True, deadline=deadline(fake_time, 10.0)
        )
    assert (script.calls, fake_time.sleeps) == (1, [])
    assert caught.value.retry_after == 30.0  # the header's number, whatever the body says
    assert caught.value.uncertain is False
    assert await budget.blocked_for() == 30.0


async def test_while_a_retry_after_runs_no_call_reaches_the_helpdesk(
    fake_time: FakeTime, budget: MemoryHelpdeskBudget
) -> None:
    with pytest.raises(HelpdeskUnavailable):
        await resilience(fake_time, budget=budget).send(
            "op", Script(asked_to_wait(429, "30")), replay_safe=True
        )
    other_instance = resilience(fake_time, budget=budget)
    fake_time.now += 5.0
    scripts = [Script(ok()) for _ in range(20)]
    for script in scripts:
        with pytest.raises(HelpdeskUnavailable) as caught:
            await other_instance.send(
                "create_ticket", script, replay_safe=True, deadline=deadline(fake_time, 10.0)
            )
        assert caught.value.retry_after == 25.0
        assert caught.value.details == {
            "operation": "create_ticket",
            "reason": "retry_after",
            "retryAfterSeconds": 25.0,
        }
    assert sum(s.calls for s in scripts) == 0
    fake_time.now += 25.0
    assert (await other_instance.send("op", Script(ok()), replay_safe=True)).status_code == 200


async def test_a_retry_after_that_fits_is_waited_out_then_retried(
    fake_time: FakeTime, budget: MemoryHelpdeskBudget
) -> None:
    script = Script(asked_to_wait(429, "2"), ok())
    guarded = resilience(fake_time, budget=budget)
    response = await guarded.send("op", script, replay_safe=True, deadline=deadline(fake_time, 10))
    assert response.status_code == 200
    assert (script.calls, fake_time.sleeps) == (2, [2.0])


async def test_a_remembered_retry_after_that_fits_the_deadline_is_waited_out(
    fake_time: FakeTime, budget: MemoryHelpdeskBudget
) -> None:
    await budget.back_off(3.0)
    script = Script(ok())
    guarded = resilience(fake_time, budget=budget)
    await guarded.send("op", script, replay_safe=True, deadline=deadline(fake_time, 10.0))
    assert (script.calls, fake_time.sleeps) == (1, [3.0])


async def test_the_pace_spreads_calls_after_a_burst(fake_time: FakeTime) -> None:
    guarded = resilience(fake_time, budget=paced(fake_time, per_minute=120))  # 0.5 s, burst 2
    for _ in range(4):
        await guarded.send("op", Script(ok()), replay_safe=True, deadline=deadline(fake_time, 10))
    assert fake_time.sleeps == [0.5, 0.5]


async def test_a_pace_wait_past_the_deadline_fails_at_once(fake_time: FakeTime) -> None:
    guarded = resilience(fake_time, budget=paced(fake_time, per_minute=6))  # one per 10 s
    await guarded.send("op", Script(ok()), replay_safe=True)
    script = Script(ok())
    with pytest.raises(HelpdeskUnavailable) as caught:
        await guarded.send("op", script, replay_safe=True, deadline=deadline(fake_time, 5.0))
    assert (script.calls, fake_time.sleeps) == (0, [])
    assert caught.value.retry_after == 10.0
    assert caught.value.details is not None
    assert caught.value.details["reason"] == "pace"
    assert guarded.known_health() is not None
    assert guarded.known_health().healthy is True  # a call never made says nothing of it


async def test_a_probe_skips_the_pace_but_not_a_retry_after(fake_time: FakeTime) -> None:
    budget = paced(fake_time, per_minute=6)
    guarded = resilience(fake_time, budget=budget)
    await guarded.send("op", Script(ok()), replay_safe=True)
    probe = Script(ok())
    assert await guarded.probe("check_health", probe, lambda _r: True) is True
    await budget.back_off(30.0)
    assert await guarded.probe("check_health", probe, lambda _r: True) is False
    assert probe.calls == 1


class BrokenBudget:
    """A budget whose store is down."""

    async def blocked_for(self) -> float:
        raise StoreUnavailable("down")

    async def back_off(self, seconds: float) -> None:
        raise StoreUnavailable("down")

    async def take(self) -> float:
        raise StoreUnavailable("down")


@pytest.fixture
def stderr() -> Iterator[io.StringIO]:
    with emitted_lines() as buffer:
        yield buffer


async def test_a_budget_that_cannot_be_read_does_not_stop_the_hand_off(
    fake_time: FakeTime, stderr: io.StringIO
) -> None:
    script = Script(asked_to_wait(429, "1"), ok())
    guarded = resilience(fake_time, budget=BrokenBudget())
    assert (await guarded.send("create_ticket", script, replay_safe=True)).status_code == 200
    assert script.calls == 2
    logged = events(stderr, "helpdesk.budget_unavailable")
    assert logged
    assert {line["operation"] for line in logged} == {"create_ticket"}
