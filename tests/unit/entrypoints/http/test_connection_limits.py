"""The connection cap fits the process's file limit, keeping descriptors for what else the
process opens: the base, and each tenant's Redis pool and helpdesk client."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from entrypoints.cli.hash_token import token_hash
from entrypoints.config.settings import settings_from
from entrypoints.http.server.connection_limits import (
    fd_reserve,
    fitted_cap,
    limits_for,
    tenant_reserve,
)


def test_the_cap_fits_the_file_limit():
    assert fitted_cap(100, 40) == 100  # this process may hold far more than 140 descriptors
    settings = settings_from({"AUTH_TOKEN": "t", "MAX_CONNECTIONS": "1000000"})
    limits = limits_for(settings)  # raises the soft limit toward the hard one, no further
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert limits.max_connections == min(1_000_000, soft - fd_reserve(settings))
    assert fd_reserve(settings) == 40  # mock helpdesk, memory stores: only the base


def test_each_tenant_s_pools_are_kept_out_of_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenants = tmp_path / "tenants.toml"
    tenants.write_text(
        "\n".join(
            f'[tenants.{name}]\nauth_tokens = ["{token_hash(name + "-token-0123")}"]\n'
            f'helpdesk_backend = "{backend}"\nhelpdesk_api_url = "https://{name}.example"\n'
            f'helpdesk_api_email = "bridge@{name}.example"\nhelpdesk_api_key = "${{KEY}}"\n'
            for name, backend in (("acme", "zendesk"), ("globex", "rt"))
        ),
        encoding="utf-8",
    )
    environment = {"TENANTS_FILE": str(tenants), "KEY": "k", "OUTBOX_PATH": str(tmp_path / "o")}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = settings_from(environment)
    # the base once, then Zendesk's pool for acme and RT's for globex (memory stores: no Redis)
    assert tenant_reserve(settings) == 40 + 50 + 20
    assert tenant_reserve(settings_from({"AUTH_TOKEN": "t"})) == 40
