"""Secrets and PII never reach a log line, however they are nested or spelled."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.bootstrap.logging import REDACTED, redact
from tests.support.log_capture import emitted_lines


@pytest.fixture
def stderr() -> Iterator[io.StringIO]:
    with emitted_lines() as buffer:
        yield buffer


def test_sensitive_fields_are_redacted_in_json_output(stderr: io.StringIO) -> None:
    structlog.get_logger("t").info(
        "handoff.received",
        callerNumber="+12345678900",
        note="Category: WiFi ...",
        headers={"x-auth-token": "s3cret", "x-signature": "sha256=abc", "accept": "json"},
        detail="caller +12345678900 said hi",
        ticket_id="TKT-1000",
    )
    line = json.loads(stderr.getvalue().splitlines()[-1])
    text = stderr.getvalue()
    for secret in ("+12345678900", "s3cret", "sha256=abc", "Category: WiFi"):
        assert secret not in text
    assert line["ticket_id"] == "TKT-1000"
    assert line["headers"]["accept"] == "json"
    assert line["callerNumber"] == REDACTED


def test_stdlib_loggers_are_redacted_too(stderr: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").warning("call from +14155552671 failed")
    assert "+14155552671" not in stderr.getvalue()
    assert "call from" in stderr.getvalue()


@given(st.from_regex(r"\+[1-9]\d{7,14}", fullmatch=True), st.text(max_size=20))
def test_phone_numbers_in_any_text_are_masked(phone: str, around: str) -> None:
    assert phone not in str(redact(f"{around} {phone} {around}", "message"))


def test_timestamps_and_ids_survive() -> None:
    assert redact("2026-11-30T05:21:14.446Z", "when") == "2026-11-30T05:21:14.446Z"
    assert redact({"n": [1, {"token": "x"}]}) == {"n": [1, {"token": REDACTED}]}


def test_timestamps_keep_structlogs_iso_utc_form() -> None:
    import calendar
    import re
    import time

    from entrypoints.bootstrap.logging import UtcTimestamper

    stamp = UtcTimestamper()
    before = time.time()
    first = stamp(None, "info", {})["timestamp"]
    second = stamp(None, "info", {})["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", first)
    assert first <= second
    parsed = calendar.timegm(time.strptime(first[:19], "%Y-%m-%dT%H:%M:%S"))
    assert abs(parsed + float("0." + first[20:26]) - before) < 2


def test_library_debug_lines_stay_out_even_at_debug_level() -> None:
    with emitted_lines("debug") as buffer:
        logging.getLogger("mcp.server.lowlevel").debug("Received message: note text here")
        structlog.get_logger("helpdesk_bridge").debug("ours.debug_event")
    assert "note text here" not in buffer.getvalue()
    assert "ours.debug_event" in buffer.getvalue()
