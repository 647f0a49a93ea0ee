"""Hostile clients for the e2e tests: raw sockets on loopback that stall, trickle, flood or send
too much, a ``serve`` process under a file limit, and its resident memory.

Every loop here is bounded (in count and in time) and every socket is closed on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import subprocess
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.e2e.environment import executable, service_environment
from tests.support.e2e.processes import TOKEN, ServiceProcess
from tests.support.e2e.requests import HANDOFF, note, unique

READ_TIMEOUT = 20.0


class LimitedService(ServiceProcess):
    """``helpdesk-bridge serve`` with its file limit (RLIMIT_NOFILE, soft and hard) at ``nofile``,
    as a container or systemd unit might set it."""

    def __init__(self, workdir: Path, env: Mapping[str, str], nofile: int) -> None:
        super().__init__(workdir, env=env)
        self.nofile = nofile

    def _spawn(self) -> None:
        env = service_environment(
            {"OUTBOX_PATH": str(self.workdir / "outbox.sqlite3"), **self.env_overrides}, self.port
        )
        limit = self.nofile

        def limit_files() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [executable(), "serve"],
                env=env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
                preexec_fn=limit_files,
            )


@contextlib.contextmanager
def running(service: ServiceProcess) -> Iterator[ServiceProcess]:
    """Start ``service``; on the way out SIGTERM it (exit code 0 expected) and kill its group."""
    service.start()
    try:
        yield service
        assert service.stop() == 0, service.stderr_text()[-2000:]
    finally:
        service.kill()


def rss_mib(pid: int) -> float:
    """The process's resident set, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def refused(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``http.refused`` lines among ``records``."""
    return [r for r in records if r.get("event") == "http.refused"]


def refusals(service: ServiceProcess) -> list[dict[str, Any]]:
    """The ``http.refused`` lines the service logged so far (a test sharing a service counts
    them before its request, and reads only the lines after: the others are earlier tests')."""
    return refused(service.log_records())


@contextlib.asynccontextmanager
async def raw_connection(
    port: int,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """A plain TCP connection to the service, always closed afterwards."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await writer.wait_closed()


async def until_closed(reader: asyncio.StreamReader, limit: float = READ_TIMEOUT) -> bytes:
    """Everything the server sends until it closes the connection (bounded by ``limit``)."""
    received = b""
    async with asyncio.timeout(limit):
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65_536):
                received += chunk
    return received


def status_of(answer: bytes) -> int | None:
    """The status code of a raw HTTP answer (``None`` for no answer)."""
    if not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer[9:12])


def body_of(answer: bytes) -> dict[str, object]:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])


def handoff_request(body: bytes | None = None, **headers: str) -> bytes:
    """A whole POST of a valid hand-off (or of ``body``) as raw bytes."""
    payload = body if body is not None else json.dumps({"note": note(), "oaKey": unique()}).encode()
    lines = [
        f"POST {HANDOFF} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"x-auth-token: {TOKEN}",
        f"Content-Length: {len(payload)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


@dataclass
class Swarm:
    """Slow clients: each opens a connection, sends a request line and then one header byte per
    ``pace`` seconds; when the server closes it, it opens another after ``backoff`` s, until the
    swarm is stopped. Counts what the server did to them."""

    port: int
    size: int
    pace: float = 1.0
    backoff: float = 0.3
    connections: int = 0
    answered: dict[int | None, int] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def _client(self) -> None:
        while not self._stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(self.backoff)
                continue
            self.connections += 1
            try:
                writer.write(f"POST {HANDOFF} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".encode())
                while not self._stop.is_set() and not reader.at_eof():
                    writer.write(b"a")
                    await writer.drain()
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.pace):
                            answer = await reader.read(4096)
                            status = status_of(answer)
                            self.answered[status] = self.answered.get(status, 0) + 1
                            break
            except (ConnectionError, OSError):
                self.answered[None] = self.answered.get(None, 0) + 1
            finally:
                writer.close()
                with contextlib.suppress(OSError, ConnectionError):
                    await writer.wait_closed()
            await asyncio.sleep(self.backoff)

    @contextlib.asynccontextmanager
    async def attacking(self) -> AsyncIterator[Swarm]:
        """The swarm at work while the block runs; every client stopped and closed after it."""
        tasks = [asyncio.create_task(self._client()) for _ in range(self.size)]
        try:
            yield self
        finally:
            self._stop.set()
            async with asyncio.timeout(READ_TIMEOUT):
                await asyncio.gather(*tasks, return_exceptions=True)


def seconds_since(started: float) -> float:
    return time.monotonic() - started
