"""The start-up check of a helpdesk's set-up: one clear log line, never a refusal to start."""

from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from adapters.clock import SystemClock
from adapters.helpdesk.mock import MockHelpdesk
from application.errors import HelpdeskBadResponse, HelpdeskUnavailable
from entrypoints.bootstrap.helpdesk_setup import report_helpdesk_setup


class Checked:
    """A gateway that says what its helpdesk lacks (as ``RtHelpdesk.check_setup`` does)."""

    def __init__(self, problems: list[str] | Exception) -> None:
        self._problems = problems

    async def check_setup(self) -> list[str]:
        if isinstance(self._problems, Exception):
            raise self._problems
        return self._problems


async def test_a_missing_field_is_logged_as_an_error_with_the_fix() -> None:
    problem = "ticket custom field 'CallerNumber' (RT_CALLER_FIELD) does not apply to queue 'X'"
    with capture_logs() as logs:
        await report_helpdesk_setup(Checked([problem]))
    [line] = logs
    assert (line["event"], line["log_level"]) == ("helpdesk.setup_incomplete", "error")
    assert line["problems"] == [problem]
    assert "Custom Fields" in line["hint"]


async def test_a_complete_set_up_is_said_once() -> None:
    with capture_logs() as logs:
        await report_helpdesk_setup(Checked([]))
    assert [(e["event"], e["log_level"]) for e in logs] == [("helpdesk.setup_checked", "info")]


@pytest.mark.parametrize(
    "failure",
    [HelpdeskUnavailable("down"), HelpdeskBadResponse("garbled"), TimeoutError()],
    ids=["unavailable", "bad-response", "timeout"],
)
async def test_a_helpdesk_that_cannot_be_asked_is_a_warning_not_a_crash(
    failure: Exception,
) -> None:
    with capture_logs() as logs:
        await report_helpdesk_setup(Checked(failure))
    [line] = logs
    assert (line["event"], line["log_level"]) == ("helpdesk.setup_unchecked", "warning")
    assert line["reason"] == type(failure).__name__


async def test_a_helpdesk_without_a_check_is_not_asked() -> None:
    with capture_logs() as logs:
        await report_helpdesk_setup(MockHelpdesk(SystemClock()))
    assert logs == []
