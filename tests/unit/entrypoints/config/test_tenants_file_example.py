"""The tenants file docs/configuration.md shows is one the bridge accepts, as documented."""

from __future__ import annotations

import hashlib
from pathlib import Path

from entrypoints.config.settings import settings_from
from entrypoints.config.tenants import Tenant, read_tenants
from tests.support.paths import REPO_ROOT


def tenants(tmp_path: Path, text: str, **env: str) -> tuple[Tenant, ...]:
    path = tmp_path / "tenants.toml"
    path.write_text(text, encoding="utf-8")
    values = {"TENANTS_FILE": str(path), "OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"), **env}
    return read_tenants(values, settings_from(values))


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def test_the_documented_example_is_a_tenants_file_the_bridge_accepts(tmp_path: Path) -> None:
    docs = (REPO_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = docs.split("\n## Tenants\n", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    secret = tmp_path / "secret"
    secret.write_text("a-secret-or-a-token\n")
    for mounted in ("/run/secrets/acme/zendesk-client-secret", "/run/secrets/globex/auth-tokens"):
        example = example.replace(mounted, str(secret))
    acme, globex = tenants(tmp_path, example, ACME_WEBHOOK_SECRET="w", GLOBEX_RT_TOKEN="r")
    assert acme.settings.helpdesk.oauth_client_secret == "a-secret-or-a-token"
    assert len(acme.token_digests) == 2
    assert acme.settings.webhook_secrets == ("w",)
    assert (globex.settings.rt.queue, globex.settings.helpdesk.api_key) == ("Voice", "r")
    assert globex.token_digests == (digest("a-secret-or-a-token"),)
