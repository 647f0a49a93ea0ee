"""What the resilience rules write to the log, read from the JSON lines the service really emits
(``configure_logging``), not only from captured events: the operation, the attempt and the
reason reach the line; the error's own text (which may carry a phone number or note) never."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest

from application.errors import HelpdeskUnavailable
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.scripted import Script, ok, resilience
from tests.support.log_capture import emitted_lines, events

PHONE = "+14155550123"


@pytest.fixture
def stderr() -> Iterator[io.StringIO]:
    with emitted_lines() as buffer:
        yield buffer


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (httpx.ConnectError(f"refused while sending note for {PHONE}"), "ConnectError"),
        (httpx.Response(503, text=f"down, caller {PHONE}"), "http_503"),
    ],
    ids=["transport", "status"],
)
async def test_a_failed_attempt_names_operation_attempt_and_reason(
    stderr: io.StringIO, fake_time: FakeTime, failure: httpx.Response | Exception, reason: str
) -> None:
    await resilience(fake_time).send("create_ticket", Script(failure, ok()), replay_safe=True)
    (line,) = events(stderr, "helpdesk.attempt_failed")
    assert {k: line[k] for k in ("operation", "attempt", "reason", "level")} == {
        "operation": "create_ticket",
        "attempt": 1,
        "reason": reason,
        "level": "warning",
    }
    assert PHONE not in stderr.getvalue()


async def test_the_circuit_opening_and_closing_are_logged(
    stderr: io.StringIO, fake_time: FakeTime
) -> None:
    guarded = resilience(fake_time, threshold=2, max_attempts=2)
    timeouts = Script(*[httpx.ReadTimeout("slow")] * 2)
    with pytest.raises(HelpdeskUnavailable):
        await guarded.send("find_open_ticket", timeouts, replay_safe=True)
    fake_time.now += 30.0
    await guarded.send("check_health", Script(ok()), replay_safe=True)
    (opened,) = events(stderr, "helpdesk.circuit_opened")
    assert opened["failures"] == 2
    assert [a["attempt"] for a in events(stderr, "helpdesk.attempt_failed")] == [1, 2]
    assert len(events(stderr, "helpdesk.circuit_closed")) == 1
