"""Doubt is reported, never hidden: a failed call that changes something says whether it may
have reached the helpdesk (``uncertain``), so the hand-off keeps its claim instead of filing a
second ticket. Scripted outcomes on a fake clock."""

from __future__ import annotations

import httpx
import pytest

from application.errors import HelpdeskUnavailable
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.scripted import Outcome, Script, Slow, deadline, ok, resilience

FAILURES: dict[str, tuple[Outcome, bool]] = {
    "attempt-timeout": (Slow(30.0, ok()), True),
    "read-timeout": (httpx.ReadTimeout("no answer"), True),
    "write-timeout": (httpx.WriteTimeout("stuck sending"), True),
    "dropped": (httpx.RemoteProtocolError("connection dropped"), True),
    "500": (httpx.Response(500), True),
    "502": (httpx.Response(502), True),
    "garbled": (httpx.DecodingError("garbled"), True),
    "connect-error": (httpx.ConnectError("refused"), False),
    "connect-timeout": (httpx.ConnectTimeout("slow handshake"), False),
    "pool-timeout": (httpx.PoolTimeout("no connection free"), False),
    "429": (httpx.Response(429), False),
    "503": (httpx.Response(503), False),
}


@pytest.mark.parametrize(("failure", "uncertain"), FAILURES.values(), ids=FAILURES.keys())
@pytest.mark.parametrize("replay_safe", [True, False], ids=["keyed", "unkeyed"])
async def test_a_failed_create_says_whether_it_may_have_landed(
    fake_time: FakeTime, failure: Outcome, uncertain: bool, replay_safe: bool
) -> None:
    script = Script(*[failure] * 4, time=fake_time)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await resilience(fake_time).send(
            "create_ticket", script, replay_safe=replay_safe, deadline=deadline(fake_time, 10.0)
        )
    assert caught.value.uncertain is uncertain


async def test_doubt_from_an_earlier_attempt_survives_later_refusals(fake_time: FakeTime) -> None:
    refused = [httpx.ConnectError("refused")] * 3
    script = Script(httpx.ReadTimeout("no answer"), *refused, time=fake_time)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await resilience(fake_time).send("create_ticket", script, replay_safe=True)
    assert script.calls == 4
    assert caught.value.details is not None
    assert caught.value.details["reason"] == "ConnectError"
    assert caught.value.uncertain is True


@pytest.mark.parametrize(
    "stop",
    ["deadline", "circuit"],
)
async def test_doubt_survives_a_call_stopped_by_the_deadline_or_the_circuit(
    fake_time: FakeTime, stop: str
) -> None:
    guarded = resilience(fake_time, threshold=1 if stop == "circuit" else 10)
    script = Script(Slow(2.0, httpx.ReadTimeout("no answer")), ok(), time=fake_time)
    limit = deadline(fake_time, 2.0 + 0.2 if stop == "deadline" else 10.0)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await guarded.send("create_ticket", script, replay_safe=True, deadline=limit)
    assert script.calls == 1
    assert caught.value.uncertain is True


async def test_a_read_is_never_uncertain(fake_time: FakeTime) -> None:
    script = Script(*[httpx.ReadTimeout("no answer")] * 4, time=fake_time)
    with pytest.raises(HelpdeskUnavailable) as caught:
        await resilience(fake_time).send(
            "find_open_ticket", script, replay_safe=True, read_only=True
        )
    assert caught.value.uncertain is False


async def test_an_open_circuit_sends_nothing_so_nothing_is_uncertain(
    fake_time: FakeTime,
) -> None:
    guarded = resilience(fake_time, threshold=1)
    with pytest.raises(HelpdeskUnavailable):
        await guarded.send("find_open_ticket", Script(httpx.ConnectError("x")), replay_safe=True)
    script = Script(ok())
    with pytest.raises(HelpdeskUnavailable) as caught:
        await guarded.send("create_ticket", script, replay_safe=True)
    assert (script.calls, caught.value.uncertain) == (0, False)
    assert caught.value.details == {"operation": "create_ticket", "circuit": "open"}
