"""Secrets that rotate, in process: every value of ``AUTH_TOKEN`` and ``WEBHOOK_SECRET`` is let
in (the webhook, and Bearer on ``/mcp``), a token file works, and a SIGHUP-style reload swaps
the accepted set at once - all or nothing, the reason logged when it is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient
from structlog.testing import capture_logs

from adapters.clock import SystemClock
from adapters.helpdesk.zendesk.oauth import ClientSecret
from entrypoints.asgi.auth import AuthReload, AuthSecrets, WebhookAuth
from entrypoints.bootstrap.container import build_container
from entrypoints.bootstrap.helpdesk_wiring import helpdesk_reloadables
from entrypoints.config.reload import Holder, Reloader
from entrypoints.config.settings import load_settings, settings_from
from entrypoints.service.app import service_app
from tests.support.e2e.requests import (
    assert_error,
    assert_ok,
    compact,
    handoff,
    note,
    signed_headers,
)
from tests.support.fake_time import FakeTime
from tests.support.helpdesk.oauth_fake import FakeZendesk
from tests.support.inprocess import InProcessService

BASE = "http://127.0.0.1:3000"
OLD, NEW, OTHER = "old-token-3f9a1c", "new-token-7d2e4b", "other-token-000000"
PAYLOAD = {"note": note(), "oaKey": "oa-rotation"}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t"}},
}


@pytest.mark.parametrize("token", [OLD, NEW])
async def test_each_of_two_auth_tokens_files_hand_offs(token: str) -> None:
    service = InProcessService({"AUTH_TOKEN": f"{OLD},{NEW}"})
    async with service.client() as client:
        assert_ok(await handoff(client, PAYLOAD, x_auth_token=token))
        refused = await handoff(client, PAYLOAD, x_auth_token=OTHER)
    assert_error(refused, 401, "AUTH_REQUIRED")


@pytest.mark.parametrize("secret", ["first-webhook-secret", "second-webhook-secret"])
async def test_each_of_two_webhook_secrets_signs(secret: str) -> None:
    service = InProcessService(
        {"AUTH_TOKEN": "", "WEBHOOK_SECRET": "first-webhook-secret, second-webhook-secret"}
    )
    body = compact(PAYLOAD)
    async with service.client() as client:
        signed = await client.post(
            "/ingest/oa-handoff", content=body, headers=signed_headers(body, secret)
        )
        forged = await client.post(
            "/ingest/oa-handoff", content=body, headers=signed_headers(body, "third-secret")
        )
    assert_ok(signed)
    assert_error(forged, 403, "AUTH_FAILED")


async def test_a_token_file_with_one_token_per_line_works(tmp_path: Path) -> None:
    path = tmp_path / "auth-token"
    path.write_text(f"{OLD}\n{NEW}\n")
    service = InProcessService({"AUTH_TOKEN": "", "AUTH_TOKEN_FILE": str(path)})
    async with service.client() as client:
        for token in (OLD, NEW):
            assert_ok(await handoff(client, PAYLOAD, x_auth_token=token))


@pytest.mark.parametrize("token", [OLD, NEW])
async def test_each_auth_token_opens_mcp(token: str) -> None:
    settings = load_settings({"AUTH_TOKEN": f"{OLD},{NEW}"}, env_file="/nonexistent/.env")
    async with AsyncTestClient(service_app(build_container(settings)), base_url=BASE) as client:
        headers = {**MCP_HEADERS, "authorization": f"Bearer {token}"}
        assert (await client.post("/mcp", json=INITIALIZE, headers=headers)).status_code == 200
        headers = {**MCP_HEADERS, "authorization": f"Bearer {OTHER}"}
        assert (await client.post("/mcp", json=INITIALIZE, headers=headers)).status_code == 401


class Rotation:
    """The webhook's scheme and a reloader over one ``Holder``, reading ``values``."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        running = settings_from(values)
        self.secrets = Holder(AuthSecrets.from_settings(running))
        self.scheme = WebhookAuth(self.secrets, 300, SystemClock())
        self.reloader = Reloader(running, [AuthReload(self.secrets)], read=lambda: self.values)

    def admits(self, token: str) -> bool:
        return self.scheme.check({b"x-auth-token": token}, b"", "127.0.0.1").error is None


def test_a_reload_retires_the_old_token_and_admits_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(OLD)
    rotation = Rotation({"AUTH_TOKEN_FILE": str(path), "PORT": "3000"})
    path.write_text(f"{OLD}\n{NEW}\n")  # step 1: the new token, beside the old
    with capture_logs() as logs:
        assert rotation.reloader.reload()
    assert (rotation.admits(OLD), rotation.admits(NEW)) == (True, True)
    path.write_text(NEW)  # step 2, once every caller sends the new one: the old is withdrawn
    rotation.values["PORT"] = "4000"
    with capture_logs() as more:
        assert rotation.reloader.reload()
    assert (rotation.admits(OLD), rotation.admits(NEW)) == (False, True)
    assert [(e["changed"], e["restart_needed"]) for e in logs + more] == [
        (["AUTH_TOKEN"], []),
        (["AUTH_TOKEN"], ["PORT"]),  # applied: the token; PORT waits for a restart
    ]
    assert OLD not in repr(logs + more)
    assert NEW not in repr(logs + more)


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda p: p.unlink(), "AUTH_TOKEN_FILE names a file that does not exist"),
        (lambda p: p.write_text(""), "AUTH_TOKEN_FILE names an empty file"),
    ],
    ids=["deleted", "emptied"],
)
def test_a_bad_file_on_reload_keeps_the_running_secrets_and_says_why(
    tmp_path: Path, spoil: Callable[[Path], object], reason: str
) -> None:
    path = tmp_path / "token"
    path.write_text(OLD)
    rotation = Rotation({"AUTH_TOKEN_FILE": str(path)})
    spoil(path)
    with capture_logs() as logs:
        assert rotation.reloader.reload() is False
    assert rotation.admits(OLD)
    [refused] = logs
    assert refused["event"] == "config.reload_refused"
    assert refused["log_level"] == "error"
    assert refused["reason"].startswith(reason)


def test_a_reload_that_leaves_no_authentication_is_refused() -> None:
    rotation = Rotation({"AUTH_TOKEN": OLD})
    rotation.values = {"AUTH_TOKEN": " , "}
    with capture_logs() as logs:
        assert rotation.reloader.reload() is False
    assert rotation.admits(OLD)
    assert "AUTH_TOKEN or WEBHOOK_SECRET must be set" in logs[0]["reason"]


ZENDESK = {
    "AUTH_TOKEN": OLD,
    "HELPDESK_BACKEND": "zendesk",
    "HELPDESK_API_URL": "https://acme.zendesk.com",
    "HELPDESK_OAUTH_CLIENT_ID": "helpdesk_bridge",
    "HELPDESK_OAUTH_CLIENT_SECRET": "s3cret-client-value",
}


async def test_a_reload_hands_the_oauth_client_a_rotated_secret() -> None:
    fake_time = FakeTime(0.0)
    zendesk = FakeZendesk(fake_time)
    client = zendesk.connect()
    parts = helpdesk_reloadables(client)
    values = dict(ZENDESK)
    reloader = Reloader(settings_from(values), parts, read=lambda: values)
    await client.get("/api/v2/users/me")
    zendesk.client = ClientSecret("helpdesk_bridge", "rotated-secret", "read write")
    values["HELPDESK_OAUTH_CLIENT_SECRET"] = "rotated-secret"
    with capture_logs() as logs:
        assert reloader.reload()
    fake_time.now += 3600  # due: renewed with the new secret
    assert (await client.get("/api/v2/users/me")).status_code == 200
    assert [g["client_secret"] for g in zendesk.grants] == ["s3cret-client-value", "rotated-secret"]
    assert logs[0]["changed"] == ["HELPDESK_OAUTH_CLIENT_SECRET"]
    assert "rotated-secret" not in repr(logs)

    del values["HELPDESK_OAUTH_CLIENT_ID"]  # the client cannot be taken away in place
    del values["HELPDESK_OAUTH_CLIENT_SECRET"]
    values["HELPDESK_API_EMAIL"], values["HELPDESK_API_KEY"] = "bridge@acme.com", "zd-token"
    with capture_logs() as logs:
        assert reloader.reload() is False
    assert "cannot be unset while the service runs on them" in logs[0]["reason"]
    await client.aclose()


def test_static_helpdesk_credentials_wait_for_a_restart() -> None:
    values = {"AUTH_TOKEN": OLD, "HELPDESK_BACKEND": "rt", "HELPDESK_API_URL": "https://rt.x"}
    values["HELPDESK_API_KEY"] = "rt-token-1"
    parts = helpdesk_reloadables(httpx.AsyncClient())
    reloader = Reloader(settings_from(values), parts, read=lambda: values)
    values["HELPDESK_API_KEY"] = "rt-token-2"
    with capture_logs() as logs:
        assert reloader.reload()
    assert (logs[0]["changed"], logs[0]["restart_needed"]) == ([], ["HELPDESK_API_KEY"])
