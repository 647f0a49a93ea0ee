"""Helpers shared by the fault tests (issue 10's "Done when"): the bridge's environment against
the Zendesk stand-in, a private ``redis-server`` a test may stop and restart empty, timed
hand-offs, and what a user reads back (``/handoffs/{ref}``, ``/metrics``, ``/readyz``).

Every wait is bounded and polls what a user can see; nothing here sleeps a fixed time in the
hope that something happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.support.e2e.environment import free_port
from tests.support.e2e.requests import AUTH, handoff, note, unique
from tests.support.standin.client import StandinProcess

DEADLINE_SECONDS = 10.0
_QUEUED_GAUGE = re.compile(r'^helpdesk_bridge_outbox_items\{state="queued"\} (\d+)$', re.M)


def bridge_env(standin: StandinProcess, **extra: str) -> dict[str, str]:
    """A bridge filing into ``standin`` with the default deadline, no client rate limit in the
    way, and ``extra`` on top (e.g. ``HELPDESK_DOWN_POLICY``)."""
    return {
        **standin.bridge_env(),
        "HANDOFF_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
        "RATE_LIMIT_PER_SECOND": "100000",
        **extra,
    }


def problem(oa_key: str, caller: str | None = None) -> dict[str, Any]:
    """One hand-off for the problem ``oa_key`` (distinct keys are distinct problems)."""
    payload: dict[str, Any] = {"note": note(), "oaKey": oa_key, "source": "FaultTest"}
    if caller is not None:
        payload["callerNumber"] = caller
    return payload


async def timed_handoff(
    client: httpx.AsyncClient, payload: Mapping[str, Any], **headers: str
) -> tuple[httpx.Response, float]:
    """The answer and how long the caller waited for it (measured here, client-side)."""
    started = time.monotonic()
    response = await handoff(client, payload, **headers)
    return response, time.monotonic() - started


async def wait_until(
    check: Callable[[], Awaitable[bool]], within: float, what: str, interval: float = 0.25
) -> float:
    """Poll ``check`` until it holds; the seconds it took (fails the test after ``within``)."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            pytest.fail(f"not within {within} s: {what}")
        await asyncio.sleep(interval)
    return time.monotonic() - started


async def handoff_states(
    client: httpx.AsyncClient, references: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """``GET /handoffs/{ref}`` for each reference: its body (every one must be known: 200)."""
    paths = [f"/handoffs/{reference}" for reference in references]
    answers = await asyncio.gather(*(client.get(path, headers=AUTH) for path in paths))
    states: dict[str, dict[str, Any]] = {}
    for answer in answers:
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        states[body["reference"]] = body
    return states


async def queued_gauge(client: httpx.AsyncClient) -> int:
    """``helpdesk_bridge_outbox_items{state="queued"}`` from ``/metrics``."""
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    found = _QUEUED_GAUGE.search(answer.text)
    assert found is not None, answer.text[-2000:]
    return int(found.group(1))


def assert_filed_once(tickets: list[dict[str, Any]], oa_keys: Iterable[str]) -> None:
    """Exactly one stand-in ticket per problem: as many tickets as keys, external_ids distinct
    and exactly the problems' keys (the bridge files under the oaKey's dedup key)."""
    keys = list(oa_keys)
    externals = [ticket["external_id"] for ticket in tickets]
    assert len(tickets) == len(keys), (len(tickets), len(keys))
    assert len(set(externals)) == len(externals), "a problem was filed twice"
    assert sorted(externals) == sorted(f"oa:{key}" for key in keys)


class RedisServer:
    """A private ``redis-server`` on a free loopback port, keeping nothing on disk, so a test
    may stop it and start it again empty (never the shared 127.0.0.1:6379)."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self._binary = binary
        self._workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [self._binary, "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self._workdir)]
        log = (self._workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            for _ in range(100):
                with contextlib.suppress(redis.RedisError, OSError):
                    if client.ping():
                        return self
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        finally:
            client.close()
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Stop it by PID (SIGKILL: a crash; it keeps nothing, so it comes back empty)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.process = None

    def dbsize(self) -> int:
        client = redis.Redis.from_url(self.url, socket_timeout=1.0)
        try:
            return int(client.dbsize())
        finally:
            client.close()


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A started private Redis, stopped by PID at the end whatever happened."""
    server = RedisServer(tmp_path_factory.mktemp("redis-server"))
    try:
        yield server.start()
    finally:
        server.stop()


async def handoffs(
    client: httpx.AsyncClient, keys: Iterable[str]
) -> list[tuple[httpx.Response, float]]:
    """One hand-off per problem key, all at once; each answer with its caller-side duration."""
    return await asyncio.gather(*(timed_handoff(client, problem(key)) for key in keys))


async def settled(
    client: httpx.AsyncClient,
    standin: StandinProcess,
    references: list[str],
    keys: Iterable[str],
    within: float,
) -> list[dict[str, Any]]:
    """Wait until nothing is queued (``/metrics``), then check the end a user sees: every
    reference delivered, one stand-in ticket per problem, each reference pointing at one of them
    (each at its own when there is one reference per problem). The stand-in's tickets."""

    async def drained() -> bool:  # one cheap read per poll, not one per reference
        return await queued_gauge(client) == 0

    await wait_until(drained, within, "the outbox drained", interval=0.5)
    states = await handoff_states(client, references)
    assert all(state["state"] == "delivered" for state in states.values()), states
    tickets = standin.tickets()
    assert_filed_once(tickets, keys)
    ids = {str(ticket["id"]) for ticket in tickets}
    delivered_to = [state["ticketId"] for state in states.values()]
    assert set(delivered_to) <= ids, (delivered_to, ids)
    if len(states) == len(tickets):
        assert set(delivered_to) == ids
    return tickets


def vouching_fleet_env(standin: StandinProcess, server: RedisServer) -> dict[str, str]:
    """A fleet on ``server`` whose dedup index has held everything for hours (its birth key set
    that far back, as a long-running fleet's is): its filings skip the helpdesk's look-up
    whenever a claim is certain - the path whose safety the fault tests must prove too."""
    prefix = f"{unique('vouching')}:"
    client = redis.Redis(host="127.0.0.1", port=server.port)
    try:
        born_ms = int((time.time() - 6 * 3600) * 1000)
        client.set(f"{prefix}dedup:index:born", str(born_ms), px=7 * 86_400 * 1000)
    finally:
        client.close()
    return bridge_env(standin, STORE_BACKEND="redis", REDIS_URL=server.url, REDIS_KEY_PREFIX=prefix)
