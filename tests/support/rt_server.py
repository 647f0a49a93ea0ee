"""A real Request Tracker 5 for the ``rt`` tests, installed and started by the project's own
``scripts/rt-up.sh`` on 127.0.0.1 (port 8085 by default, state under /tmp), and what an e2e test
needs to point a bridge at it and hand off to that bridge."""

from __future__ import annotations

import os
import subprocess
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


def stop_rt(server: RtServer) -> None:
    """Stop the server only if this session started it."""
    if server.started_pid:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=_env(), check=False, timeout=30)


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
