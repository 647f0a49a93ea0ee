"""Issue 14's rotation "Done when", on real processes: secrets in files, edited while
``helpdesk-bridge serve`` runs, applied by SIGHUP without a restart and without dropping the
hand-off in flight; a bad file keeps the running secrets and the log says why.

One process: the service reloads in place (entrypoints/config/reload.py). ``--workers N``: uvicorn's
supervisor answers SIGHUP by replacing each worker with a fresh one (which reads the files
again) before retiring the old one, and keeps the old worker when the new one cannot start.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.e2e import faults
from tests.support.e2e.processes import ServiceFactory, ServiceProcess
from tests.support.e2e.requests import assert_error, assert_ok, handoff, unique
from tests.support.standin.client import StandinProcess
from tests.support.standin.oauth import (
    DEFAULT_CLIENT_SECRET,
    oauth_bridge_env,
    revoke_tokens,
    set_client_secret,
    token_stats,
)

pytestmark = pytest.mark.e2e

OLD, NEW = "old-auth-token-1b7f3e9a", "new-auth-token-6c2d8a4f"
NEW_CLIENT_SECRET = "rotated-client-secret-93ab"


def events(bridge: ServiceProcess, event: str) -> list[dict[str, Any]]:
    return [record for record in bridge.log_records() if record["event"] == event]


def reload(bridge: ServiceProcess, event: str) -> dict[str, Any]:
    """SIGHUP, and the reload's log line (``config.reloaded`` or ``config.reload_refused``)."""
    seen = len(events(bridge, event))
    bridge.signal(signal.SIGHUP)
    bridge.wait_for_log(lambda records: len([r for r in records if r["event"] == event]) > seen)
    return events(bridge, event)[-1]


def file_env(standin: StandinProcess, token_file: Path, secret_file: Path) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        **oauth_bridge_env(standin),
        "AUTH_TOKEN": None,
        "AUTH_TOKEN_FILE": str(token_file),
        "HELPDESK_OAUTH_CLIENT_SECRET": None,
        "HELPDESK_OAUTH_CLIENT_SECRET_FILE": str(secret_file),
    }
    return env


async def test_sighup_retires_the_old_token_and_admits_the_new_one_mid_hand_off(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory, tmp_path: Path
) -> None:
    token_file, secret_file = tmp_path / "auth-token", tmp_path / "client-secret"
    token_file.write_text(OLD + "\n")
    secret_file.write_text(DEFAULT_CLIENT_SECRET + "\n")
    bridge = service_factory(file_env(zendesk_standin, token_file, secret_file))
    async with bridge.client() as client:
        assert_ok(await handoff(client, faults.problem(unique("before")), x_auth_token=OLD))
        creates = zendesk_standin.calls()["create"]
        zendesk_standin.slow_creates(3)
        in_flight = asyncio.create_task(
            handoff(client, faults.problem(unique("in-flight")), x_auth_token=OLD)
        )

        async def reached_the_helpdesk() -> bool:
            return zendesk_standin.calls()["create"] > creates

        await faults.wait_until(reached_the_helpdesk, 10, "the hand-off reached Zendesk", 0.02)
        zendesk_standin.slow_creates(0)  # the one in flight keeps its 3 s
        token_file.write_text(NEW + "\n")  # the old token withdrawn, the new one in
        line = reload(bridge, "config.reloaded")
        assert (line["changed"], line["restart_needed"]) == (["AUTH_TOKEN"], [])

        assert_error(await handoff(client, faults.problem(unique("old"))), 401, "AUTH_REQUIRED")
        assert_error(
            await handoff(client, faults.problem(unique("old")), x_auth_token=OLD),
            401,
            "AUTH_REQUIRED",
        )
        assert_ok(await handoff(client, faults.problem(unique("new")), x_auth_token=NEW))
        assert not in_flight.done()  # still waiting on Zendesk: the reload did not cut it
        assert_ok(await in_flight)  # let in under the old token, it finishes as it started

        token_file.unlink()  # a bad file on reload
        refused = reload(bridge, "config.reload_refused")
        assert (
            refused["reason"] == f"AUTH_TOKEN_FILE names a file that does not exist: {token_file}"
        )
        assert refused["level"] == "error"
        assert_ok(await handoff(client, faults.problem(unique("kept")), x_auth_token=NEW))

    assert bridge.running
    assert len(events(bridge, "service.starting")) == 1  # never restarted
    assert OLD not in bridge.stderr_text()
    assert NEW not in bridge.stderr_text()


async def test_sighup_applies_a_rotated_oauth_client_secret(
    zendesk_standin: StandinProcess, service_factory: ServiceFactory, tmp_path: Path
) -> None:
    token_file, secret_file = tmp_path / "auth-token", tmp_path / "client-secret"
    token_file.write_text(NEW)
    secret_file.write_text(DEFAULT_CLIENT_SECRET)
    bridge = service_factory(file_env(zendesk_standin, token_file, secret_file))
    async with bridge.client() as client:
        assert_ok(await handoff(client, faults.problem(unique("a")), x_auth_token=NEW))
        # the secret regenerated in Zendesk, the mounted secret updated, the old tokens revoked
        set_client_secret(zendesk_standin, NEW_CLIENT_SECRET)
        secret_file.write_text(NEW_CLIENT_SECRET)
        line = reload(bridge, "config.reloaded")
        assert line["changed"] == ["HELPDESK_OAUTH_CLIENT_SECRET"]
        revoke_tokens(zendesk_standin)
        assert_ok(await handoff(client, faults.problem(unique("b")), x_auth_token=NEW))
    stats = token_stats(zendesk_standin)
    assert (stats["granted"], stats["refused"]) == (2, 0)  # the old secret was never sent again
    text = bridge.stderr_text()
    assert DEFAULT_CLIENT_SECRET not in text
    assert NEW_CLIENT_SECRET not in text


@pytest.mark.redis
@pytest.mark.slow
async def test_with_workers_sighup_replaces_each_worker_and_keeps_them_on_a_bad_file(
    service_factory: ServiceFactory, redis_url: str, tmp_path: Path
) -> None:
    token_file = tmp_path / "auth-token"
    token_file.write_text(OLD)
    env: dict[str, str | None] = {
        "AUTH_TOKEN": None,
        "AUTH_TOKEN_FILE": str(token_file),
        "STORE_BACKEND": "redis",
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": f"hdb-e2e:{unique('reload')}:",
        # the polls below send many hand-offs a second with one token: no 429 among them
        "RATE_LIMIT_PER_SECOND": "1000",
    }
    bridge = service_factory(env, args=["--workers", "2"])
    limits = httpx.Limits(max_keepalive_connections=0)  # a new connection, any worker, each time
    async with bridge.client(limits=limits) as client:

        async def statuses(token: str) -> set[int]:
            """The statuses of 8 hand-offs; 0 for a connection an old worker reset before reading
            its request while it was being replaced (uvicorn's window, docs/deployment.md)."""
            found: set[int] = set()
            for _ in range(8):
                try:
                    answer = await handoff(client, faults.problem(unique("w")), x_auth_token=token)
                except httpx.TransportError:
                    found.add(0)
                else:
                    found.add(answer.status_code)
            return found

        async def started(count: int) -> bool:
            return len(events(bridge, "service.starting")) >= count

        await faults.wait_until(lambda: started(2), 20, "both workers started", 0.05)
        assert await statuses(OLD) == {200}
        token_file.write_text(NEW)
        bridge.signal(signal.SIGHUP)
        await faults.wait_until(lambda: started(4), 30, "both workers replaced", 0.05)

        async def rotated() -> bool:
            return await statuses(OLD) == {401} and await statuses(NEW) == {200}

        await faults.wait_until(rotated, 20, "every worker on the new token", 0.05)

        token_file.unlink()
        bridge.signal(signal.SIGHUP)

        async def kept() -> bool:
            return "keeping worker" in bridge.stderr_text()

        await faults.wait_until(kept, 30, "the supervisor kept the running worker", 0.05)
        assert await statuses(NEW) == {200}
    text = bridge.stderr_text()
    assert "config.invalid" in text
    assert f"AUTH_TOKEN_FILE names a file that does not exist: {token_file}" in text
    assert OLD not in text
    assert NEW not in text
