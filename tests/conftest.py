"""Fixtures shared by several test folders."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
import redis
from hypothesis import settings

from tests.support.paths import in_ci
from tests.support.rt_server import RtServer, RtUnavailable, shared_rt

pytest_plugins = [
    "tests.support.e2e.fixtures",
    "tests.support.standin.fixtures",
    "tests.support.scheduling",
]
"""Fixtures every folder may use (the bridge and the Zendesk stand-in as real processes), and how
the tests spread over xdist's workers."""

# Property tests assert behaviour, never speed: no per-example deadline (a loaded CI machine
# would otherwise fail a correct example that happened to take 200 ms).
settings.register_profile("bridge", deadline=None)
settings.load_profile("bridge")


@pytest.fixture(scope="session", autouse=True)
def _state_directory_of_the_tests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Queued hand-offs of a test that names no OUTBOX_PATH land in a temporary state directory
    (platformdirs reads XDG_STATE_HOME), never in the state directory of whoever runs the tests."""
    previous = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("xdg-state"))
    yield
    if previous is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = previous


@pytest.fixture(scope="session")
def rt_server() -> Iterator[RtServer]:
    """A real RT on 127.0.0.1, shared by the session's workers (and by any other run here):
    started if none answers, stopped by the last of them to finish if a test session started it
    (``shared_rt``)."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(shared_rt())
        except RtUnavailable as e:
            if in_ci():
                pytest.fail(f"Request Tracker is required in CI: {e}")
            pytest.skip(f"Request Tracker 5 cannot be installed/started here: {e}")
        yield server


REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a reachable Redis (``REDIS_URL``): fails under CI, skips elsewhere, when
    there is none (`.ci/run` starts one)."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        client.ping()
    except (redis.RedisError, OSError) as e:
        message = f"no Redis at {REDIS_URL} ({type(e).__name__}: {e}); start one: {START_REDIS}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    finally:
        client.close()
    return REDIS_URL
