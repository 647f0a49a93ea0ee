"""How the suite spreads over pytest-xdist's workers (a pytest plugin, registered in
tests/conftest.py); pyproject's addopts asks for ``-n auto --dist load --maxschedchunk 1``.

- ``-n auto`` is twice the CPUs (at most 8): most of the suite's time is spent waiting on the
  processes it starts (the bridge, the stand-ins, Redis, RT, the MCP Inspector), not computing,
  so two workers per CPU keep the CPUs busy. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` or an explicit
  ``-n`` overrides it; ``-n 0`` runs everything in one process.
- Tests marked ``slow`` (tens of seconds of waiting, e.g. a timed outage) are collected first,
  so that with one test sent at a time they start at once on different workers instead of
  lining up behind each other at the end of the run while the other workers sit idle.
"""

from __future__ import annotations

import os

import pytest

MAX_AUTO_WORKERS = 8


@pytest.hookimpl
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Two workers per CPU this process may use, at most ``MAX_AUTO_WORKERS``; None leaves
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` to xdist's own hook."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cpus or 1), MAX_AUTO_WORKERS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``slow`` tests first, each group in its collected order (a stable sort: every worker
    collects the same order, as xdist requires)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
