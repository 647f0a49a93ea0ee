"""Issue 14's tenants "Done when", on real processes: one ``helpdesk-bridge serve`` with a
tenants file, two tenants, each on its own Zendesk stand-in (its own API token).

The same hand-off with each tenant's token files one ticket in each tenant's helpdesk; tenant
A's MCP session cannot append to tenant B's ticket; every log line of a tenant's request names
it and no token or key is logged; editing the file and sending SIGHUP retires an old token and
admits a new one without a restart; a plain token in the file stops start-up with a clear line.
The tokens' hashes come from ``helpdesk-bridge hash-token`` itself.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import faults
from tests.support.e2e.environment import executable, run_cli, service_environment
from tests.support.e2e.mcp_clients import error_of, http_session
from tests.support.e2e.processes import ServiceFactory, ServiceProcess
from tests.support.e2e.requests import assert_error, assert_ok, handoff, unique
from tests.support.standin.client import StandinProcess

pytestmark = pytest.mark.e2e

ALPHA, BETA, ROTATED = "alpha-token-5e1b9c7d", "beta-token-8a2f4d6e", "alpha-rotated-3c9e7b1a"
KEYS = {"ALPHA_ZENDESK_KEY": "alpha-zendesk-key-71c2", "BETA_ZENDESK_KEY": "beta-zendesk-key-93d4"}


def hash_token(token: str) -> str:
    """``helpdesk-bridge hash-token`` with the token on stdin, as an operator runs it."""
    done = subprocess.run(
        [executable(), "hash-token"],
        input=token + "\n",
        capture_output=True,
        text=True,
        timeout=30,
        env=service_environment(),
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def standins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, StandinProcess]]:
    """Two Zendesk stand-ins, each accepting only its own tenant's API token."""
    started: dict[str, StandinProcess] = {}
    try:
        for name, variable in (("alpha", "ALPHA_ZENDESK_KEY"), ("beta", "BETA_ZENDESK_KEY")):
            standin = StandinProcess(tmp_path_factory.mktemp(f"zendesk-{name}"))
            standin.args += ["--api-token", KEYS[variable]]
            standin.api_token = KEYS[variable]
            started[name] = standin.start()  # type: ignore[assignment]
        yield started
    finally:
        for standin in started.values():
            standin.kill()


def tenants_file(standins: dict[str, StandinProcess], hashes: dict[str, str]) -> str:
    return "".join(
        f"""
[tenants.{name}]
helpdesk_backend = "zendesk"
helpdesk_api_url = "{standin.url}"
helpdesk_api_email = "{standin.email}"
helpdesk_api_key = "${{{name.upper()}_ZENDESK_KEY}}"
auth_tokens = ["{hashes[name]}"]
"""
        for name, standin in standins.items()
    )


def bridge_env(path: Path) -> dict[str, str | None]:
    return {
        "TENANTS_FILE": str(path),
        "AUTH_TOKEN": None,
        "WEBHOOK_SECRET": None,
        "RATE_LIMIT_PER_SECOND": "1000",
        **KEYS,
    }


def requests_of(bridge: ServiceProcess) -> list[dict[str, Any]]:
    return [r for r in bridge.log_records() if r["event"] == "http.request"]


async def test_two_tenants_two_helpdesks_kept_apart_and_rotated_on_sighup(
    standins: dict[str, StandinProcess], service_factory: ServiceFactory, tmp_path: Path
) -> None:
    hashes = {"alpha": hash_token(ALPHA), "beta": hash_token(BETA)}
    path = tmp_path / "tenants.toml"
    path.write_text(tenants_file(standins, hashes))
    bridge = service_factory(bridge_env(path))
    alpha, beta = standins["alpha"], standins["beta"]
    async with bridge.client() as client:
        problem = faults.problem(unique("same"), "+14155552671")
        from_alpha = assert_ok(await handoff(client, problem, x_auth_token=ALPHA))
        from_beta = assert_ok(await handoff(client, problem, x_auth_token=BETA))
        assert (from_alpha["created"], from_beta["created"]) == (True, True)
        assert len(alpha.tickets()) == 1 == len(beta.tickets())  # no cross-tenant dedup
        assert alpha.tickets()[0]["external_id"] == beta.tickets()[0]["external_id"]

        beta_only = assert_ok(await handoff(client, faults.problem(unique("b")), x_auth_token=BETA))
        assert beta_only["ticketId"] not in {str(t["id"]) for t in alpha.tickets()}
        before = beta.tickets()
        async with http_session(bridge.url, token=ALPHA) as session:
            refused = await session.call_tool(
                "helpdesk_append_note",
                {"ticketId": beta_only["ticketId"], "note": "Called back: still no WiFi"},
            )
        assert refused.is_error
        assert error_of(refused)["code"] == "TICKET_NOT_FOUND"  # alpha's helpdesk has no such
        assert beta.tickets() == before  # beta's ticket untouched

        path.write_text(tenants_file(standins, {**hashes, "alpha": hash_token(ROTATED)}))
        seen = len([r for r in bridge.log_records() if r["event"] == "tenants.reloaded"])
        bridge.signal(signal.SIGHUP)
        records = bridge.wait_for_log(
            lambda rs: len([r for r in rs if r["event"] == "tenants.reloaded"]) > seen
        )
        reloaded = [r for r in records if r["event"] == "tenants.reloaded"][-1]
        assert reloaded["changed"] == ["tenants.alpha.auth_tokens"]
        retired = await handoff(client, faults.problem(unique("old")), x_auth_token=ALPHA)
        assert_error(retired, 401, "AUTH_REQUIRED", rate_headers=False)
        assert_ok(await handoff(client, faults.problem(unique("new")), x_auth_token=ROTATED))
        assert_ok(await handoff(client, faults.problem(unique("beta")), x_auth_token=BETA))

    assert bridge.running  # no restart

    def logged_handoffs(records: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
        return [
            (r["route"], r.get("tenant"))
            for r in records
            if r["event"] == "http.request" and r["route"] in ("handoff", "unauthenticated")
        ]

    # an access line follows its answer: wait for the six requests' lines before reading them
    records = bridge.wait_for_log(lambda rs: len(logged_handoffs(rs)) >= 6)
    handoffs = logged_handoffs(records)
    assert handoffs == [
        *(("handoff", tenant) for tenant in ("alpha", "beta", "beta")),
        ("unauthenticated", None),  # the retired token: no tenant's
        *(("handoff", tenant) for tenant in ("alpha", "beta")),
    ]
    assert {r["tenant"] for r in requests_of(bridge) if r["route"] == "mcp"} == {"alpha"}
    assert {r["tenant"] for r in bridge.log_records() if r["event"] == "tenant.started"} == {
        "alpha",
        "beta",
    }
    text = bridge.stderr_text()
    for secret in (ALPHA, BETA, ROTATED, *KEYS.values(), *hashes.values()):
        assert secret not in text
    assert "+14155552671" not in text


def test_a_plain_token_in_the_file_stops_start_up_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "tenants.toml"
    path.write_text(f'[tenants.alpha]\nauth_tokens = ["{ALPHA}"]\n')
    done = run_cli(["serve"], bridge_env(path), timeout=30)
    assert done.returncode == 2
    assert done.stderr.startswith(f"helpdesk-bridge: configuration error: TENANTS_FILE {path}: ")
    assert "[tenants.alpha] auth_tokens holds a value that is not a SHA-256 hash" in done.stderr
    assert ALPHA not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1

    path.write_text(f'[tenants.alpha]\nauth_tokens = ["{hash_token(ALPHA)}"]\n')
    unknown = run_cli(["mcp", "--tenant", "gamma"], bridge_env(path), timeout=30)
    assert unknown.returncode == 2
    assert "no tenant is called 'gamma' in TENANTS_FILE (its tenants: alpha)" in unknown.stderr
