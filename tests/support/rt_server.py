"""A real Request Tracker 5 for the ``rt`` tests, installed and started by the project's own
``scripts/rt-up.sh`` on 127.0.0.1 (port 8085 by default, state under /tmp), and what an e2e test
needs to point a bridge at it and hand off to that bridge.

One RT serves every pytest process at once (the xdist workers of a run, and another run on the
same machine): ``shared_rt`` starts it under a file lock and counts its users in the state
directory, so the last user stops it, and only when a test session started it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.e2e.requests import AUTH, HANDOFF, JSON_HEADERS
from tests.support.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "rt-up.sh"
RT_PORT = os.environ.get("HDB_TEST_RT_PORT", "8085")
# a fixed, documented path: rt-up.sh reuses its token and finished steps from there
RT_STATE = Path(os.environ.get("HDB_TEST_RT_STATE", "/tmp/helpdesk-bridge-rt"))  # noqa: S108
INSTALL_TIMEOUT_SECONDS = 900


class RtUnavailable(Exception):
    """RT could not be installed or started here; the message says why."""


@dataclass(frozen=True)
class RtServer:
    url: str
    token: str
    custom_field: str
    started_pid: str  # empty when a server was already running (then we leave it running)
    caller_field: str = "CallerNumber"


def _env() -> dict[str, str]:
    return {**os.environ, "RT_PORT": RT_PORT, "RT_STATE": str(RT_STATE)}


def start_rt() -> RtServer:
    """Run ``rt-up.sh`` (install if missing, start if not answering) and read what it wrote."""
    try:
        done = subprocess.run(
            ["bash", str(SCRIPT)],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RtUnavailable(f"scripts/rt-up.sh did not finish: {e}") from e
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise RtUnavailable(f"scripts/rt-up.sh exited {done.returncode}: {tail}")
    values = dict(
        line.split("=", 1) for line in (RT_STATE / "env").read_text().splitlines() if "=" in line
    )
    return RtServer(
        values["RT_URL"],
        values["RT_TOKEN"],
        values["RT_CF"],
        values["RT_PID"],
        values.get("RT_CALLER_CF", "CallerNumber"),
    )


def stop_rt() -> None:
    """Stop the server ``rt-up.sh`` started (the one its state directory names)."""
    subprocess.run(["bash", str(SCRIPT), "stop"], env=_env(), check=False, timeout=30)


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """Hold the state directory's lock: one process at a time starts, counts or stops RT."""
    RT_STATE.mkdir(parents=True, exist_ok=True)
    with (RT_STATE / "lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs: a worker killed before its teardown leaves its file behind,
    and must not keep RT up for ever."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def shared_rt() -> Iterator[RtServer]:
    """RT for this process while it runs its tests: started (or found) under the lock, this
    process counted as a user (a file named for its PID). At the end the last user still alive
    stops it, and only when a test session started it (``tests-started``): an RT that was
    running before any test did (a developer's, CI's) is left running."""
    users, started = RT_STATE / "users", RT_STATE / "tests-started"
    me = users / str(os.getpid())
    with _locked():
        server = start_rt()
        if server.started_pid:
            started.write_text(server.started_pid)
        users.mkdir(exist_ok=True)
        me.touch()
    try:
        yield server
    finally:
        with _locked():
            me.unlink(missing_ok=True)
            others = [p for p in users.iterdir() if p.name.isdigit() and _alive(int(p.name))]
            if not others and started.exists():
                stop_rt()
                started.unlink()


def bridge_env_for(rt: RtServer, token: str | None = None) -> dict[str, str | None]:
    """A bridge's environment for filing in ``rt`` (with another API token if given)."""
    return {
        "HELPDESK_BACKEND": "rt",
        "HELPDESK_API_URL": rt.url,
        "HELPDESK_API_KEY": token or rt.token,
        "RT_EXTERNAL_REF_FIELD": rt.custom_field,
        # RT's first requests after it starts are slow (it compiles on demand); these tests are
        # about filing and finding in RT, not about the deadline, so give it room.
        "HANDOFF_DEADLINE_SECONDS": "30",
        "HELPDESK_TIMEOUT_SECONDS": "15",
    }


async def handoff(service_url: str, payload: dict[str, str]) -> dict[str, object]:
    """POST one hand-off to the bridge at ``service_url``; its 200 body."""
    async with httpx.AsyncClient(base_url=service_url, timeout=30) as client:
        answer = await client.post(HANDOFF, json=payload, headers={**AUTH, **JSON_HEADERS})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body
