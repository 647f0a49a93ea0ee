"""The real-process fixtures (a pytest plugin, registered in tests/conftest.py, so every folder
has them): ``helpdesk-bridge serve`` as a real process, reached over real HTTP.

Reuse (e.g. for STORE_BACKEND=redis, or two instances behind one store)::

    def test_two_instances(service_factory):
        env = {"STORE_BACKEND": "redis", "REDIS_URL": url}
        first, second = service_factory(env), service_factory(env)
        ...

    @pytest.fixture(scope="module")
    def service(module_service_factory):
        return module_service_factory({"MOCK_HELPDESK_LATENCY_MS": "50"})

- Each process gets a free port on 127.0.0.1, a clean environment (config variables inherited
  from the developer's shell are dropped; ``env`` overrides are applied on top; ``None`` removes
  a variable), an empty temporary working directory (so no stray ``.env`` is read), and its own
  process group.
- stderr goes to a temporary file: ``service.stderr_text()``, ``service.log_records()``,
  ``service.wait_for_log(...)`` read it while the process runs.
- Start-up waits for ``GET /healthz``; a process that dies first fails the test with its stderr.
- Teardown sends SIGTERM and checks the exit code is 0, then kills the whole process group
  whatever happened, so nothing is ever left running. A test that stops a process itself
  (``service.stop()``) makes its own assertions on the exit code.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.e2e.processes import ServiceFactory


@pytest.fixture
def service_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceFactory]:
    """Start processes for one test: ``service_factory({"ENV": "value"}, args=[...])``."""
    factory = ServiceFactory(tmp_path_factory)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="module")
def module_service_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServiceFactory]:
    """Like ``service_factory``, for processes shared by a module's tests."""
    factory = ServiceFactory(tmp_path_factory)
    try:
        yield factory
    finally:
        factory.close()
