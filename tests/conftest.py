"""Fixtures shared by several test folders."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.rt_server import RtServer, RtUnavailable, start_rt, stop_rt


def in_ci() -> bool:
    """CI must run every test: a missing service fails there instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def rt_server() -> Iterator[RtServer]:
    """A real RT on 127.0.0.1, started for this session and stopped after it (if we started it)."""
    try:
        server = start_rt()
    except RtUnavailable as e:
        if in_ci():
            pytest.fail(f"Request Tracker is required in CI: {e}")
        pytest.skip(f"Request Tracker 5 cannot be installed/started here: {e}")
    yield server
    stop_rt(server)
