"""The ``zendesk_standin`` fixture: a fresh Zendesk stand-in process for one test (a pytest
plugin, registered in tests/conftest.py, so every folder has it)::

    def test_outage(zendesk_standin, service_factory):
        bridge = service_factory(zendesk_standin.bridge_env())
        zendesk_standin.fail(500, seconds=60)
        ...

The process outlives every bridge the test starts and restarts (the helpdesk is the record), and
is killed with its process group when the test ends, whatever happened.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.standin.client import StandinProcess


@pytest.fixture
def zendesk_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandinProcess]:
    """A started stand-in (no faults, no tickets); see ``StandinProcess`` for its methods."""
    standin = StandinProcess(tmp_path_factory.mktemp("zendesk-standin"))
    try:
        standin.start()
        yield standin
    finally:
        standin.kill()
