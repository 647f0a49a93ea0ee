"""``helpdesk-bridge serve`` as a real process for the e2e tests (the fixtures that start
them are in conftest.py, whose docstring says how to use them)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.e2e.environment import (
    DEFAULT_STARTUP_TIMEOUT,
    SECRET,
    STOP_TIMEOUT,
    TOKEN,
    executable,
    free_port,
    run_cli,
    service_environment,
)

__all__ = ["SECRET", "TOKEN", "ServiceFactory", "ServiceProcess", "free_port", "run_cli"]


class ServiceProcess:
    """One ``helpdesk-bridge serve`` process on 127.0.0.1 with its stderr in a file."""

    def __init__(
        self,
        workdir: Path,
        env: Mapping[str, str | None] | None = None,
        args: Sequence[str] = (),
        port: int | None = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    ) -> None:
        self.workdir = workdir
        self.env_overrides = dict(env or {})
        self.args = list(args)
        self.requested_port = port
        self.startup_timeout = startup_timeout
        self.stderr_path = workdir / "stderr.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    # -- life cycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def start(self) -> ServiceProcess:
        """Start and wait until ``/healthz`` answers 200; retry on a port taken meanwhile."""
        attempts = 1 if self.requested_port else 3
        for attempt in range(attempts):
            self.port = self.requested_port or free_port()
            self._spawn()
            if self._wait_healthy():
                return self
            stderr = self.stderr_text()
            self.kill()
            if "address already in use" not in stderr.lower() or attempt == attempts - 1:
                pytest.fail(
                    f"helpdesk-bridge did not become healthy on port {self.port} "
                    f"(exit code {self.returncode}); stderr:\n{stderr[-4000:]}"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def _spawn(self) -> None:
        # Each process keeps its queued hand-offs in its own directory unless the test shares a
        # file on purpose (a restart that must find what the killed process queued).
        env = service_environment(
            {"OUTBOX_PATH": str(self.workdir / "outbox.sqlite3"), **self.env_overrides}, self.port
        )
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [executable(), "serve", *self.args],
                env=env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group: teardown kills workers too
            )

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(base_url=self.url, timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    return False
                with contextlib.suppress(httpx.TransportError):
                    if client.get("/healthz").status_code == 200:
                        return True
                time.sleep(0.05)
        return False

    def signal(self, signum: int = signal.SIGTERM) -> None:
        """Send ``signum`` to the server process (uvicorn forwards it to its workers)."""
        assert self.process is not None, "not started"
        self.process.send_signal(signum)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Wait for the process to exit; its exit code (kills it if it does not exit in time)."""
        assert self.process is not None, "not started"
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"helpdesk-bridge did not exit within {timeout} s")

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, wait, return the exit code (0 for a graceful shutdown)."""
        if self.running:
            self.signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the process group (idempotent; never raises)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)

    # -- HTTP -------------------------------------------------------------------------------

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An async client for this process (no proxies from the environment)."""
        kwargs.setdefault("timeout", 15.0)
        kwargs.setdefault("limits", httpx.Limits(max_connections=200, max_keepalive_connections=50))
        return httpx.AsyncClient(base_url=self.url, trust_env=False, **kwargs)

    # -- logs -------------------------------------------------------------------------------

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr_text().splitlines() if line.strip()]

    def log_records(self) -> list[dict[str, Any]]:
        """stderr parsed as JSON lines (a line that is not JSON raises: logs must be JSON)."""
        return [json.loads(line) for line in self.stderr_lines()]

    def wait_for_log(
        self,
        predicate: Callable[[list[dict[str, Any]]], bool],
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Poll the log until ``predicate(records)`` holds (access lines follow the answer)."""
        deadline = time.monotonic() + timeout
        while True:
            records = self.log_records()
            if predicate(records):
                return records
            if time.monotonic() >= deadline:
                pytest.fail(f"log condition not met within {timeout} s; stderr:\n{records[-20:]}")
            time.sleep(0.02)


class ServiceFactory:
    """Starts ``ServiceProcess``es and owns their teardown."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._services: list[ServiceProcess] = []

    def __call__(
        self,
        env: Mapping[str, str | None] | None = None,
        *,
        args: Sequence[str] = (),
        port: int | None = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    ) -> ServiceProcess:
        service = ServiceProcess(
            self._tmp.mktemp("hdb-service"),
            env=env,
            args=args,
            port=port,
            startup_timeout=startup_timeout,
        )
        self._services.append(service)
        return service.start()

    def close(self) -> None:
        """SIGTERM every still-running process, kill them all, then report unclean exits."""
        unclean: list[str] = []
        for service in self._services:
            try:
                if service.running:
                    code = service.stop()
                    if code != 0:
                        unclean.append(
                            f"port {service.port}: exit code {code}; stderr tail:\n"
                            f"{service.stderr_text()[-2000:]}"
                        )
            finally:
                service.kill()
        self._services.clear()
        if unclean:
            pytest.fail("service did not exit 0 on SIGTERM:\n" + "\n".join(unclean))
