"""The Zendesk stand-in as a process a test starts, commands and stops.

``StandinProcess`` is an e2e ``ServiceProcess`` (tests/support/e2e/processes.py) running
``python -m tests.support.standin.zendesk`` instead of ``helpdesk-bridge serve``: the same free port
with retry, own process group, readiness wait on ``/healthz``, stderr file, and ``kill()`` of the
whole group by PID. On top: the control calls (``fail``, ``slow_creates``, ``budget``, ...), what
they read back (``tickets``, ``calls``, ``rate_limited``, ...) and what a bridge needs to use it
(``bridge_env()`` for a process, ``zendesk_settings()`` in process).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from adapters.helpdesk.zendesk.gateway import ZendeskSettings
from tests.support.e2e.environment import service_environment
from tests.support.e2e.processes import ServiceProcess
from tests.support.paths import REPO_ROOT
from tests.support.standin.state import Route
from tests.support.standin.zendesk import DEFAULT_API_TOKEN, DEFAULT_EMAIL

CONTROL_TIMEOUT_SECONDS = 5.0


class StandinError(Exception):
    """The stand-in refused a control call (the message is its answer)."""


class StandinProcess(ServiceProcess):
    """One stand-in on 127.0.0.1; ``start()`` returns once it answers."""

    def __init__(self, workdir: Path, idempotency_ttl: float | None = None) -> None:
        args = [] if idempotency_ttl is None else ["--idempotency-ttl", str(idempotency_ttl)]
        super().__init__(workdir, env={"PYTHONPATH": str(REPO_ROOT)}, args=args)
        self.email = DEFAULT_EMAIL
        self.api_token = DEFAULT_API_TOKEN

    def _spawn(self) -> None:
        command = [sys.executable, "-m", "tests.support.standin.zendesk", "--port", str(self.port)]
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*command, *self.args],
                env=service_environment(self.env_overrides),
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group, killed as one
            )

    # -- how a bridge reaches it ----------------------------------------------------------------

    def bridge_env(self) -> dict[str, str]:
        """The environment ``helpdesk-bridge serve`` needs to file into this stand-in."""
        return {
            "HELPDESK_BACKEND": "zendesk",
            "HELPDESK_API_URL": self.url,
            "HELPDESK_API_EMAIL": self.email,
            "HELPDESK_API_KEY": self.api_token,
        }

    def zendesk_settings(self, **overrides: Any) -> ZendeskSettings:
        """Settings for an in-process ``ZendeskHelpdesk`` against this stand-in."""
        fields: dict[str, Any] = {
            "api_url": self.url,
            "email": self.email,
            "api_token": self.api_token,
        }
        return ZendeskSettings(**(fields | overrides))

    # -- faults ---------------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        *,
        seconds: float | None = None,
        calls: int | None = None,
        retry_after: int | None = None,
        only: Route | None = None,
    ) -> None:
        """Answer ``status`` instead of processing, for ``seconds`` and/or ``calls`` (whichever
        ends first; neither: until ``reset``), to every call or ``only`` one route."""
        body = {
            "status": status,
            "seconds": seconds,
            "calls": calls,
            "retry_after": retry_after,
            "only": only,
        }
        self.control("POST", "fail", body)

    def slow_creates(self, seconds: float) -> None:
        """Apply every create after ``seconds`` and answer after it (0 turns it off)."""
        self.control("POST", "slow", {"seconds": seconds})

    def drop_after_create(self, n: int = 1) -> None:
        """Apply the next ``n`` creates, then close their connection without an answer."""
        self.control("POST", "drop", {"creates": n})

    def budget(self, per_minute: int | None) -> None:
        """Zendesk's per-minute account rate limit: past ``per_minute`` API calls in the current
        minute (a fixed window starting now), every call is answered 429 with ``Retry-After``
        and not processed; 0 or None turns it off (budget.py)."""
        self.control("POST", "budget", {"per_minute": per_minute})

    def delay_jobs(self, seconds: float) -> None:
        """Run bulk updates' background jobs ``seconds`` (real time) after they are queued."""
        self.control("POST", "jobs", {"seconds": seconds})

    def reset(self, *, tickets: bool = False) -> None:
        """No faults (no budget, jobs at once), call counts and create log empty; with
        ``tickets``, no tickets, keys or jobs either."""
        self.control("POST", "reset", {"tickets": tickets})

    def advance_clock(self, seconds: float) -> None:
        """Move the stand-in's clock forward (Idempotency-Key expiry, fault and budget
        windows)."""
        self.control("POST", "clock", {"advance": seconds})

    def set_status(self, ticket_id: int | str, status: str) -> None:
        """Change a ticket's status, as an agent would (e.g. ``solved``; a problem solved so
        solves its open incidents)."""
        self.control("PATCH", f"tickets/{ticket_id}", {"status": status})

    # -- state ----------------------------------------------------------------------------------

    def tickets(self) -> list[dict[str, Any]]:
        """Every ticket: id, external_id, subject, status, type, problem_id, tags, custom_fields,
        requester, requester_id, comments (``{"body", "public", "attachments"}``; each attachment
        ``{"file_name", "content_type", "content"}``, the content base64), created_at,
        idempotency_key."""
        tickets: list[dict[str, Any]] = self.control("GET", "tickets")["tickets"]
        return tickets

    def incidents(self, problem_id: int | str) -> list[dict[str, Any]]:
        """The tickets linked to ``problem_id`` as its incidents (as ``tickets()`` shows them)."""
        return [t for t in self.tickets() if t["problem_id"] == int(problem_id)]

    def users(self) -> list[dict[str, Any]]:
        """Every user: id, name, phone, external_id, role, created_at, ..."""
        users: list[dict[str, Any]] = self.control("GET", "users")["users"]
        return users

    def add_user(self, name: str, phone: str | None = None, role: str = "end-user") -> int:
        """A user made elsewhere long ago (the search finds it at once); its id."""
        body = {"name": name, "phone": phone, "role": role}
        user_id: int = self.control("POST", "users", body)["user"]["id"]
        return user_id

    def calls(self) -> dict[str, int]:
        """Support API calls per route since start or reset (``Route``'s names and other),
        failed and refused calls included (those the budget refused too)."""
        calls: dict[str, int] = self.control("GET", "calls")["calls"]
        return calls

    def rate_limited(self) -> int:
        """How many calls the budget refused with a 429 since start or reset (the 429s a
        bridge provoked; those injected by ``fail`` are not counted here)."""
        refused: int = self.control("GET", "calls")["rate_limited"]
        return refused

    def creates(self) -> list[dict[str, Any]]:
        """Every create call since start or reset, as answered: ``idempotency_key``, ``status``
        (``"dropped"`` when its connection was closed unanswered), ``lookup`` (``hit``/``miss``
        or None), ``ticket_id`` (of a 201)."""
        creates: list[dict[str, Any]] = self.control("GET", "creates")["creates"]
        return creates

    def control(self, method: str, action: str, body: object = None) -> dict[str, Any]:
        """One call to ``/_standin/{action}`` (control.py lists them); its JSON answer, or
        ``StandinError`` when the stand-in refuses it."""
        with httpx.Client(timeout=CONTROL_TIMEOUT_SECONDS, trust_env=False) as client:
            response = client.request(method, f"{self.url}/_standin/{action}", json=body)
        if response.status_code != 200:
            raise StandinError(
                f"{method} /_standin/{action}: {response.status_code} {response.text}"
            )
        answer: dict[str, Any] = response.json()
        return answer
