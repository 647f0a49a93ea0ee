"""One hand-off, one deadline: its look-ups, its create and all their retries fit inside the
``Deadline`` the use case passes down, however the helpdesk misbehaves; no attempt (and no pause
before one) starts that could not finish inside it. Scripted outcomes on a fake clock."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from adapters.helpdesk.resilience.calls import Resilience
from application.errors import HelpdeskUnavailable
from application.timing.deadline import MIN_ATTEMPT_SECONDS, Deadline
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.scripted import Outcome, Script, Slow, deadline, ok, resilience

HAND_OFF_CALLS = [  # what TicketFiling asks for one hand-off on an index miss
    ("find_open_ticket", True),  # by oaKey
    ("find_open_ticket", True),  # by caller + category
    ("create_ticket", False),
]


async def one_hand_off(guarded: Resilience, script: Script, limit: Deadline | None) -> None:
    for operation, read_only in HAND_OFF_CALLS:
        with contextlib.suppress(HelpdeskUnavailable):
            await guarded.send(
                operation, script, replay_safe=True, read_only=read_only, deadline=limit
            )


MISBEHAVIOURS: dict[str, Outcome] = {
    "answers-after-12s": Slow(12.0, ok()),
    "read-timeout-after-4s": Slow(4.0, httpx.ReadTimeout("no answer")),
    "500-after-3s": Slow(3.0, httpx.Response(500)),
    "503-at-once": httpx.Response(503),
    "slow-429-retry-after-2": Slow(1.0, httpx.Response(429, headers={"Retry-After": "2"})),
}


@pytest.mark.parametrize("outcome", MISBEHAVIOURS.values(), ids=MISBEHAVIOURS.keys())
async def test_a_whole_hand_off_never_outlasts_its_deadline(
    fake_time: FakeTime, outcome: Outcome
) -> None:
    script = Script(*[outcome] * 40, time=fake_time)
    await one_hand_off(resilience(fake_time), script, deadline(fake_time, 10.0))
    assert fake_time.now <= 10.0
    assert script.started
    assert all(start <= 10.0 - MIN_ATTEMPT_SECONDS for start in script.started)


async def test_without_a_deadline_each_call_spends_its_own_budget(fake_time: FakeTime) -> None:
    """What the issue measured (22.8 s for one hand-off): the reason for the deadline."""
    script = Script(*[Slow(12.0, ok())] * 40, time=fake_time)
    await one_hand_off(resilience(fake_time, budget_seconds=8.0), script, None)
    assert fake_time.now > 20.0


async def test_no_attempt_starts_with_too_little_time_left(fake_time: FakeTime) -> None:
    script = Script(ok(), time=fake_time)
    limit = deadline(fake_time, MIN_ATTEMPT_SECONDS - 0.05)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await resilience(fake_time).send("create_ticket", script, replay_safe=True, deadline=limit)
    assert script.calls == 0
    assert caught.value.details == {"operation": "create_ticket", "reason": "deadline"}
    assert (caught.value.uncertain, caught.value.retry_after) == (False, None)


async def test_an_attempt_gets_at_most_what_is_left(fake_time: FakeTime) -> None:
    script = Script(Slow(12.0, ok()), ok(), time=fake_time)
    guarded = resilience(fake_time, attempt_timeout_seconds=5.0)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await guarded.send("op", script, replay_safe=True, deadline=deadline(fake_time, 3.0))
    assert fake_time.now == 3.0  # cut at the deadline, not at the policy's 5 s
    assert script.calls == 1
    assert caught.value.details is not None
    assert caught.value.details["reason"] == "attempt_timeout"


async def test_a_pause_that_leaves_no_time_for_an_attempt_is_not_slept(
    fake_time: FakeTime,
) -> None:
    script = Script(httpx.Response(503), ok(), time=fake_time)
    guarded = resilience(fake_time, base_delay_seconds=2.0)  # the pause: 0.5 * 2.0 = 1.0 s
    with pytest.raises(HelpdeskUnavailable):
        await guarded.send("op", script, replay_safe=True, deadline=deadline(fake_time, 1.2))
    assert (script.calls, fake_time.sleeps) == (1, [])


async def test_time_left_after_a_pause_still_gets_its_retry(fake_time: FakeTime) -> None:
    script = Script(httpx.Response(503), ok(), time=fake_time)
    guarded = resilience(fake_time, base_delay_seconds=2.0)
    limit = deadline(fake_time, 1.0 + MIN_ATTEMPT_SECONDS)
    response = await guarded.send("op", script, replay_safe=True, deadline=limit)
    assert response.status_code == 200
    assert fake_time.sleeps == [1.0]


async def test_a_deadline_replaces_the_policy_budget(fake_time: FakeTime) -> None:
    """The hand-off's deadline, not the per-call budget, bounds a call that is given one."""
    script = Script(*[httpx.Response(503)] * 3, ok(), time=fake_time)
    guarded = resilience(fake_time, budget_seconds=0.5, base_delay_seconds=2.0)
    response = await guarded.send("op", script, replay_safe=True, deadline=deadline(fake_time, 9.0))
    assert response.status_code == 200
    assert fake_time.sleeps == [1.0, 1.0, 1.0]
