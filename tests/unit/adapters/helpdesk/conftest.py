"""The resilience tests' clock: it moves only when the code under test sleeps or a test moves it."""

from __future__ import annotations

import pytest

from tests.support.fake_time import FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime(start=0.0)
