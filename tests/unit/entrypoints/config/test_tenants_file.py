"""The tenants file: each tenant's settings are the environment's overlaid by its table, checked
by the settings' own declaration; tokens only as hashes (or named in the environment); every
refusal one line naming the file, the tenant and the key - never a secret's value."""

from __future__ import annotations

import hashlib
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from entrypoints.cli.hash_token import token_hash
from entrypoints.config.settings import ConfigError, settings_from
from entrypoints.config.tenants import Tenant, read_tenants, tenant_named

A_TOKEN, B_TOKEN = "token-of-tenant-a-4f1e", "token-of-tenant-b-9c2d"


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def tenants(tmp_path: Path, text: str, **env: str) -> tuple[Tenant, ...]:
    path = tmp_path / "tenants.toml"
    path.write_text(text, encoding="utf-8")
    values = {"TENANTS_FILE": str(path), "OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"), **env}
    return read_tenants(values, settings_from(values))


def refusal(tmp_path: Path, text: str, **env: str) -> str:
    with pytest.raises(ConfigError) as error:
        tenants(tmp_path, text, **env)
    message = str(error.value)
    assert message.startswith(f"TENANTS_FILE {tmp_path / 'tenants.toml'}:")
    assert "\n" not in message
    return message


TWO = f"""
[tenants.acme]
helpdesk_backend = "zendesk"
helpdesk_api_url = "https://acme.zendesk.com"
helpdesk_api_email = "bridge@acme.example"
helpdesk_api_key = "${{ACME_ZENDESK_KEY}}"
auth_tokens = ["{token_hash(A_TOKEN)}"]
rate_limit_per_second = 25
mcp_allowed_hosts = ["bridge.acme.example", "localhost"]

[tenants.globex-eu]
auth_tokens = "{token_hash(B_TOKEN).upper().replace("SHA256:", "sha256:")}"
webhook_secret = "${{GLOBEX_SECRET}}"
dedup_ttl_seconds = 600
mock_helpdesk_healthy = false
"""


def test_each_tenant_is_the_environment_overlaid_by_its_table(tmp_path: Path) -> None:
    acme, globex = tenants(
        tmp_path, TWO, ACME_ZENDESK_KEY="zk", GLOBEX_SECRET="gs", DEDUP_TTL_SECONDS="900"
    )
    assert (acme.name, globex.name) == ("acme", "globex-eu")
    assert acme.settings.helpdesk_backend == "zendesk"
    assert acme.settings.helpdesk.api_key == "zk"  # ${NAME} read from the environment
    assert acme.settings.rate_limit_per_second == 25
    assert acme.settings.mcp_allowed_hosts == ("bridge.acme.example", "localhost")
    assert acme.settings.dedup_ttl_seconds == 900  # inherited
    assert globex.settings.dedup_ttl_seconds == 600  # its own
    assert globex.settings.mock_helpdesk.healthy is False
    assert globex.settings.webhook_secrets == ("gs",)
    assert acme.token_digests == (digest(A_TOKEN),)
    assert globex.token_digests == (digest(B_TOKEN),)  # hex in any case
    assert acme.settings.auth_token == "" == globex.settings.auth_token


def test_each_tenant_gets_its_own_redis_prefix_and_outbox_file(tmp_path: Path) -> None:
    acme, globex = tenants(
        tmp_path, TWO, ACME_ZENDESK_KEY="zk", GLOBEX_SECRET="gs", REDIS_KEY_PREFIX="prod:"
    )
    assert acme.settings.redis.key_prefix == "prod:t:acme:"
    assert globex.settings.redis.key_prefix == "prod:t:globex-eu:"
    assert acme.settings.outbox.path == str(tmp_path / "outbox.acme.sqlite3")
    assert globex.settings.outbox.path == str(tmp_path / "outbox.globex-eu.sqlite3")


def test_a_tenant_may_keep_the_keys_and_file_of_a_bridge_without_tenants(tmp_path: Path) -> None:
    text = f"""
[tenants.main]
auth_tokens = ["{token_hash(A_TOKEN)}"]
redis_key_prefix = "hdb:"
outbox_path = "{tmp_path / "outbox.sqlite3"}"
[tenants.new]
auth_tokens = ["{token_hash(B_TOKEN)}"]
"""
    main, new = tenants(tmp_path, text)
    assert (main.settings.redis.key_prefix, new.settings.redis.key_prefix) == ("hdb:", "hdb:t:new:")
    assert main.settings.outbox.path == str(tmp_path / "outbox.sqlite3")


def test_tokens_and_secrets_may_come_from_the_environment_or_files(tmp_path: Path) -> None:
    tokens, key = tmp_path / "a-tokens", tmp_path / "a-key"
    tokens.write_text(f"{A_TOKEN}\n{token_hash('second')}\n")
    key.write_text("rt-key\n")
    text = f"""
[tenants.a]
auth_tokens_file = "{tokens}"
helpdesk_backend = "rt"
helpdesk_api_url = "https://rt.example.com"
helpdesk_api_key_file = "{key}"
[tenants.b]
auth_tokens = ["${{B_TOKENS}}", "{token_hash("third")}"]
"""
    a, b = tenants(tmp_path, text, B_TOKENS=f"{B_TOKEN}, other", HELPDESK_API_KEY="inherited")
    assert a.token_digests == (digest(A_TOKEN), digest("second"))
    assert a.settings.helpdesk.api_key == "rt-key"  # its file wins over the environment's key
    assert b.token_digests == (digest(B_TOKEN), digest("other"), digest("third"))


TOKENS = st.text(
    alphabet=st.characters(
        min_codepoint=0x21,
        max_codepoint=0x2FF,
        exclude_categories=("Cc",),
        exclude_characters='"\\',
    ),
    min_size=8,
    max_size=64,
).filter(lambda token: not token.lower().startswith("sha256:") and not token.startswith("${"))


@cache
def _refusal_wording() -> str:
    """The refusal of a token that cannot occur in it, as the reference wording."""
    with tempfile.TemporaryDirectory() as directory, pytest.raises(ConfigError) as error:
        tenants(Path(directory), '[tenants.a]\nauth_tokens = ["~~~~~~~~~~"]\n')
    return str(error.value)


@given(TOKENS)
@example("helpdesk")  # a piece of the refusal's own wording
def test_a_plain_token_stops_start_up_naming_auth_tokens_never_the_token(token: str) -> None:
    with tempfile.TemporaryDirectory() as directory, pytest.raises(ConfigError) as error:
        tenants(Path(directory), f'[tenants.a]\nauth_tokens = ["{token}"]\n')
    message = str(error.value)
    assert "[tenants.a] auth_tokens holds a value that is not a SHA-256 hash" in message
    assert "helpdesk-bridge hash-token" in message
    # A token that is a piece of the refusal's own wording (say "helpdesk") reveals nothing.
    assert token not in message or token in _refusal_wording()


@pytest.mark.parametrize(
    ("table", "env", "expected"),
    [
        (
            'helpdesk_api_ulr = "https://x.example"',
            {},
            "'helpdesk_api_ulr' (did you mean helpdesk_api_url?)",
        ),
        ('HELPDESK_BACKEND = "rt"', {}, "keys are the settings' names in lower case"),
        ("port = 4000", {}, "port is a setting of the whole process: set it in the environment"),
        ('log_level = "debug"', {}, "log_level is a setting of the whole process"),
        ('auth_token = "x"', {}, "auth_token is not a tenant key: write auth_tokens"),
        (
            "rate_limit_per_second = 0",
            {},
            "a] rate_limit_per_second must be an integer from 1 to 1000000",
        ),
        (
            'helpdesk_backend = "freshdesk"',
            {},
            "a] helpdesk_backend must be one of mock, zendesk, rt",
        ),
        ('helpdesk_backend = "zendesk"', {}, "[tenants.a] HELPDESK_API_URL must be set"),
        (
            "mock_helpdesk_latency_ms = {ms = 5}",
            {},
            "mock_helpdesk_latency_ms must be a string, a number",
        ),
        ("mock_helpdesk = {healthy = false}", {}, "has no setting 'mock_helpdesk'"),
        (
            'helpdesk_api_key = "plain-key-123"',
            {},
            'helpdesk_api_key is a secret: write helpdesk_api_key = "${',
        ),
        ('webhook_secret = ["${S1}", "plain"]', {"S1": "x"}, "webhook_secret is a secret"),
        ('redis_url = "redis://u:pw@cache:6379/0"', {}, "redis_url is a secret"),
        (
            'helpdesk_api_key = "${MISSING_KEY}"',
            {},
            "helpdesk_api_key reads ${MISSING_KEY}, which is not set",
        ),
        (
            'helpdesk_api_key_file = "/nonexistent/key"',
            {},
            "a] helpdesk_api_key_file names a file that does not exist",
        ),
        (
            'auth_tokens_file = "/nonexistent/t"',
            {},
            "auth_tokens and auth_tokens_file are both set",
        ),
    ],
)
def test_a_bad_key_or_value_names_the_tenant_and_the_key(
    tmp_path: Path, table: str, env: dict[str, str], expected: str
) -> None:
    text = f'[tenants.a]\nauth_tokens = ["{token_hash(A_TOKEN)}"]\n{table}\n'
    message = refusal(tmp_path, text, **env)
    assert expected in message
    assert "plain-key-123" not in message
    assert ":pw@" not in message


def test_a_redis_url_without_a_password_is_no_secret(tmp_path: Path) -> None:
    text = f'[tenants.a]\nauth_tokens = ["{token_hash(A_TOKEN)}"]\nredis_url = "redis://cache:6379/2"\n'
    (tenant,) = tenants(tmp_path, text)
    assert tenant.settings.redis.url == "redis://cache:6379/2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "names no tenant: add a [tenants.NAME] table"),
        ("[tenants]\n", "names no tenant"),
        ("port = 1\n[tenants.a]\n", "has 'port' at the top: only [tenants.NAME] tables"),
        ("[tenants.A]\nwebhook_secret = '${S}'\n", "tenant name 'A' must be 1-32 of a-z"),
        ("[tenants.a\n", "is not valid TOML"),
        ("[tenants.a]\nrate_limit_per_second = 5\n", "a] admits nobody: give it auth_tokens"),
        ("tenants = 3\n", "names no tenant"),
        ("[tenants]\na = 1\n", "tenants.a must be a table"),
    ],
)
def test_a_malformed_file_is_refused_whole(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in refusal(tmp_path, text, S="x")


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (f'auth_tokens = ["{token_hash(A_TOKEN)}"]', "b] auth_tokens: a token is also tenant a's"),
        ('auth_tokens = ["${SAME}"]\n', "b] auth_tokens: a token is also tenant a's"),
        (
            f'auth_tokens = ["{token_hash(B_TOKEN)}"]\noutbox_path = "OUTBOX"',
            "b] outbox_path is also tenant a's",
        ),
        (
            f'auth_tokens = ["{token_hash(B_TOKEN)}"]\nstore_backend = "redis"\n'
            'redis_key_prefix = "hdb:t:a:"',
            None,
        ),
    ],
)
def test_no_two_tenants_share_a_token_or_a_store(
    tmp_path: Path, second: str, expected: str | None
) -> None:
    outbox = str(tmp_path / "outbox.a.sqlite3")
    text = f'[tenants.a]\nauth_tokens = ["{token_hash(A_TOKEN)}"]\n[tenants.b]\n'
    text += second.replace("OUTBOX", outbox) + "\n"
    if expected is None:  # a on memory, b on redis: a prefix is no file
        assert len(tenants(tmp_path, text)) == 2
        text = text.replace("[tenants.b]", 'store_backend = "redis"\n[tenants.b]')
        expected = "[tenants.b] redis_key_prefix is also tenant a's"
    assert expected in refusal(tmp_path, text, SAME=A_TOKEN)


@pytest.mark.parametrize("variable", ["AUTH_TOKEN", "WEBHOOK_SECRET", "AUTH_TOKEN_FILE"])
def test_credentials_in_the_environment_beside_a_tenants_file_stop_start_up(
    tmp_path: Path, variable: str
) -> None:
    (tmp_path / "token").write_text("x\n")
    value = str(tmp_path / "token") if variable.endswith("_FILE") else "x"
    with pytest.raises(ConfigError, match=f"^{variable} is set, but with TENANTS_FILE each"):
        tenants(tmp_path, TWO, ACME_ZENDESK_KEY="k", GLOBEX_SECRET="s", **{variable: value})


def test_without_auth_in_the_environment_a_tenants_file_is_enough() -> None:
    assert settings_from({"TENANTS_FILE": "/etc/tenants.toml"}).auth_tokens == ()
    with pytest.raises(ConfigError, match="AUTH_TOKEN or WEBHOOK_SECRET must be set"):
        settings_from({})


def test_a_tenant_is_found_by_name_or_the_names_are_listed(tmp_path: Path) -> None:
    found = tenants(tmp_path, TWO, ACME_ZENDESK_KEY="k", GLOBEX_SECRET="s")
    assert tenant_named(found, "acme").name == "acme"
    with pytest.raises(ConfigError, match=r"no tenant is called 'nope' .*: acme, globex-eu\)"):
        tenant_named(found, "nope")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    values = {"TENANTS_FILE": str(tmp_path / "absent.toml")}
    with pytest.raises(ConfigError, match=r"absent\.toml: names a file that does not exist"):
        read_tenants(values, settings_from(values))
