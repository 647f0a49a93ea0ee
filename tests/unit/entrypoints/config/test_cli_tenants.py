"""With TENANTS_FILE the one-tenant commands (``mcp``, ``outbox``) run on the tenant
``--tenant NAME`` names; a missing or unknown name, or ``--tenant`` without a tenants file,
stops them with exit code 2 and one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.cli.hash_token import token_hash
from entrypoints.config.command_line import settings_or_exit

FILE = f"""
[tenants.acme]
auth_tokens = ["{token_hash("a")}"]
rate_limit_per_second = 7
[tenants.globex]
auth_tokens = ["{token_hash("b")}"]
"""


@pytest.fixture
def tenants_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tenants.toml"
    path.write_text(FILE)
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("AUTH_TOKEN", "WEBHOOK_SECRET", "ELEVENLABS_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OUTBOX_PATH", str(tmp_path / "outbox.sqlite3"))
    monkeypatch.setenv("TENANTS_FILE", str(path))
    return tmp_path


def test_the_named_tenants_settings_are_the_commands(tenants_file: Path) -> None:
    settings = settings_or_exit(require_auth=False, tenant="acme")
    assert settings.rate_limit_per_second == 7
    assert settings.outbox.path == str(tenants_file / "outbox.acme.sqlite3")


@pytest.mark.parametrize(
    ("tenant", "expected"),
    [
        (None, "TENANTS_FILE is set: name the tenant with --tenant NAME"),
        ("initech", "no tenant is called 'initech' in TENANTS_FILE (its tenants: acme, globex)"),
    ],
)
def test_a_missing_or_unknown_tenant_exits_2(
    tenants_file: Path, capsys: pytest.CaptureFixture[str], tenant: str | None, expected: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        settings_or_exit(require_auth=False, tenant=tenant)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == f"helpdesk-bridge: configuration error: {expected}\n"


def test_tenant_without_a_tenants_file_exits_2(
    tenants_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TENANTS_FILE")
    with pytest.raises(SystemExit):
        settings_or_exit(require_auth=False, tenant="acme")
    assert "--tenant acme needs TENANTS_FILE" in capsys.readouterr().err
