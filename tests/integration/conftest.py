"""Fixtures of the in-process tests."""

from __future__ import annotations

import pytest

from tests.inprocess import InProcessService


@pytest.fixture(scope="module")
def service() -> InProcessService:
    """The app of ``serve`` in this process, shared by a module's tests, with no practical rate
    limit (a test of the limit builds its own)."""
    return InProcessService({"RATE_LIMIT_PER_SECOND": "100000"})
