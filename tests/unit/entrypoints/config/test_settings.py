"""Configuration: every setting's default, a bad value of each stopping start-up with one line
naming its variable, the environment over ``.env``, and the checks a real helpdesk needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from application.speech.handoff import DEFAULT_FILED, DEFAULT_QUEUED
from entrypoints.config.settings import ConfigError, Settings, declared_settings, load_settings
from entrypoints.config.settings import settings_from as read

NO_FILE = "/nonexistent/.env"
AUTH = {"AUTH_TOKEN": "t"}
ZENDESK = {"HELPDESK_BACKEND": "zendesk", "HELPDESK_API_URL": "https://acme.zendesk.com"}
RT = {"HELPDESK_BACKEND": "rt", "HELPDESK_API_URL": "https://rt.example.com"}

# variable: (its default as the operator sees it, a value it refuses; None: any text goes)
TABLE: dict[str, tuple[Any, str | None]] = {
    "HOST": ("127.0.0.1", None),
    "PORT": (3000, "70000"),
    "AUTH_TOKEN": ("", None),
    "WEBHOOK_SECRET": ("", None),
    "RATE_LIMIT_PER_SECOND": (10, "0"),
    "IDEMPOTENCY_TTL_SECONDS": (900, "15m"),
    "DEDUP_TTL_SECONDS": (14_400, "0"),
    "HMAC_TOLERANCE_SECONDS": (300, "3601"),
    "HELPDESK_BACKEND": ("mock", "nope"),
    "STORE_BACKEND": ("memory", "sqlite"),
    "LOG_LEVEL": ("info", "loud"),
    "LOG_FORMAT": ("json", "xml"),
    "MAX_BODY_BYTES": (65_536, "1023"),
    "FORWARDED_ALLOW_IPS": ("127.0.0.1", None),
    "READYZ_CACHE_SECONDS": (10, "-1"),
    "HANDOFF_DEADLINE_SECONDS": (10.0, "0.5"),
    "PUBLIC_BASE_URL": ("", "ftp://bridge.example.com"),
    "MCP_TOOL_NAME_STYLE": ("underscore", "camel"),
    "MCP_ALLOWED_HOSTS": (("127.0.0.1", "localhost", "[::1]"), "http://x.example.com/"),
    "ELEVENLABS_WEBHOOK_SECRET": ("", None),
    "POST_CALL_MAX_BODY_BYTES": (8_388_608, "65535"),
    "DEFAULT_PHONE_REGION": ("", "XX"),
    "SAY_FILED_TEMPLATE": (DEFAULT_FILED, "Ticket {reference} is open."),
    "SAY_QUEUED_TEMPLATE": (DEFAULT_QUEUED, "Kept as {reference!r}."),
    "TENANTS_FILE": ("", None),
    "HEADER_TIMEOUT_SECONDS": (10.0, "0.5"),
    "BODY_TIMEOUT_SECONDS": (10.0, "301"),
    "KEEPALIVE_TIMEOUT_SECONDS": (5.0, "soon"),
    "MAX_CONNECTIONS": (1_000, "7"),
    "MAX_HEADER_BYTES": (16_384, "1023"),
    "MAX_HEADER_FIELDS": (100, "10001"),
    "MOCK_HELPDESK_URL": ("https://helpdesk.example.com", "ftp://x"),
    "MOCK_HELPDESK_HEALTHY": (True, "maybe"),
    "MOCK_HELPDESK_LATENCY_MS": (0, "60001"),
    "HELPDESK_API_URL": ("", "acme.zendesk.com"),
    "HELPDESK_API_EMAIL": ("", None),
    "HELPDESK_API_KEY": ("", None),
    "HELPDESK_OAUTH_TOKEN": ("", None),
    "HELPDESK_OAUTH_CLIENT_ID": ("", None),
    "HELPDESK_OAUTH_CLIENT_SECRET": ("", None),
    "HELPDESK_OAUTH_SCOPES": ("read write", "read,write"),
    "HELPDESK_TIMEOUT_SECONDS": (5.0, "0"),
    "HELPDESK_RETRY_BUDGET_SECONDS": (8.0, "19"),
    "HELPDESK_DOWN_POLICY": ("queue", "drop"),
    "HELPDESK_RATE_LIMIT_PER_MINUTE": (0, "-1"),
    "HELPDESK_REQUESTER_CACHE_SECONDS": (86_400, "59"),
    "ZENDESK_CATEGORY_FIELD_ID": (None, "abc"),
    "ZENDESK_REASON_FIELD_ID": (None, "0"),
    "ZENDESK_CONFIDENCE_FIELD_ID": (None, "-5"),
    "RT_QUEUE": ("General", None),
    "RT_EXTERNAL_REF_FIELD": ("ExternalRef", "Ref{x}"),
    "RT_CALLER_FIELD": ("CallerNumber", "Caller'Number"),
    "REDIS_URL": ("redis://127.0.0.1:6379/0", "http://127.0.0.1:6379"),
    "REDIS_KEY_PREFIX": ("hdb:", "has space:"),
    "REDIS_SOCKET_TIMEOUT_SECONDS": (1.0, "fast"),
    "REDIS_CONNECT_TIMEOUT_SECONDS": (1.0, "nan"),
    "REDIS_MAX_CONNECTIONS": (50, "0"),
    "REDIS_HEALTH_CHECK_INTERVAL_SECONDS": (30, "-1"),
    "OUTBOX_PATH": ("", None),
    "OUTBOX_MAX_AGE_SECONDS": (86_400, "59"),
}
REFUSED = [(name, bad) for name, (_, bad) in TABLE.items() if bad is not None]
PATHS = {setting.name: setting.path for setting in declared_settings()}


def value_at(settings: Settings, name: str) -> Any:
    value: Any = settings
    for part in PATHS[name]:
        value = getattr(value, part)
    return value


def test_the_table_covers_every_declared_setting() -> None:
    assert set(TABLE) == set(PATHS), "give each new setting its row: default and a bad value"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_the_default(name: str) -> None:
    settings = load_settings({}, NO_FILE, require_auth=False)
    assert value_at(settings, name) == TABLE[name][0]


@pytest.mark.parametrize(("name", "value"), REFUSED)
def test_a_bad_value_stops_start_up_with_one_line_naming_its_variable(
    name: str, value: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**AUTH, name: value}, NO_FILE)
    message = str(error.value)
    assert message.startswith(f"{name} must be ")
    assert f"(got {value!r})" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value", "parsed"),
    [
        ("PORT", " 4000 ", 4000),
        ("HELPDESK_TIMEOUT_SECONDS", "2", 2.0),
        ("MOCK_HELPDESK_HEALTHY", "no", False),
        ("MOCK_HELPDESK_HEALTHY", "TRUE", True),
        ("LOG_LEVEL", "DEBUG", "debug"),
        ("STORE_BACKEND", "Redis", "redis"),
        ("MCP_ALLOWED_HOSTS", " a.example.com , b:8443,,*", ("a.example.com", "b:8443", "*")),
        ("ZENDESK_CATEGORY_FIELD_ID", "360001", 360_001),
        ("HELPDESK_OAUTH_SCOPES", "tickets:write users:read", "tickets:write users:read"),
        ("DEFAULT_PHONE_REGION", "gb", "gb"),
        ("SAY_FILED_TEMPLATE", "Ticket {ticket_id}: {{soon}}.", "Ticket {ticket_id}: {{soon}}."),
    ],
)  # fmt: skip
def test_accepted_values_and_their_normal_form(name: str, value: str, parsed: Any) -> None:
    assert value_at(load_settings({**AUTH, name: value}, NO_FILE), name) == parsed


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_value_means_the_default(blank: str) -> None:
    assert load_settings({**AUTH, "PORT": blank}, NO_FILE).port == 3000


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("AUTH_TOKEN=from-file\nPORT=4000\n")
    settings = load_settings({"PORT": "5000"}, str(env_file))
    assert (settings.auth_token, settings.port) == ("from-file", 5000)


def test_any_mapping_can_be_read_for_example_one_keyed_in_lower_case() -> None:
    tenant = {"rate_limit_per_second": "3", "redis_key_prefix": "tenant-a:", "unrelated": "x"}
    settings = read({key.upper(): value for key, value in tenant.items()}, require_auth=False)
    assert (settings.rate_limit_per_second, settings.redis.key_prefix) == (3, "tenant-a:")


def test_refuses_to_run_without_any_authentication() -> None:
    with pytest.raises(ConfigError, match="AUTH_TOKEN or WEBHOOK_SECRET"):
        load_settings({}, NO_FILE)
    assert load_settings({"WEBHOOK_SECRET": "s"}, NO_FILE).webhook_secret == "s"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HELPDESK_BACKEND": "zendesk"}, "HELPDESK_API_URL must be set"),
        ({"HELPDESK_BACKEND": "rt"}, "HELPDESK_API_URL must be set"),
        (ZENDESK, "HELPDESK_API_EMAIL and HELPDESK_API_KEY"),
        ({**ZENDESK, "HELPDESK_API_EMAIL": "bridge@acme.com"}, "HELPDESK_API_EMAIL and"),
        ({**ZENDESK, "HELPDESK_API_KEY": "zd-token"}, "HELPDESK_API_EMAIL and"),
        (RT, "HELPDESK_API_KEY must be set to an RT auth token"),
        ({**ZENDESK, "HELPDESK_OAUTH_CLIENT_ID": "bridge"}, "go together"),
        ({**ZENDESK, "HELPDESK_OAUTH_CLIENT_SECRET": "s"}, "go together"),
        ({**ZENDESK, "HELPDESK_OAUTH_SCOPES": "read"}, "HELPDESK_OAUTH_CLIENT_ID and"),
    ],
)
def test_a_real_helpdesk_needs_its_address_and_credentials(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named) as error:
        load_settings({**AUTH, **env}, NO_FILE)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "env",
    [
        {**ZENDESK, "HELPDESK_OAUTH_TOKEN": "oauth"},
        {**ZENDESK, "HELPDESK_OAUTH_CLIENT_ID": "bridge", "HELPDESK_OAUTH_CLIENT_SECRET": "s"},
        {**ZENDESK, "HELPDESK_API_EMAIL": "bridge@acme.com", "HELPDESK_API_KEY": "zd-token"},
        {**RT, "HELPDESK_API_KEY": "1-2-token"},
        {"HELPDESK_BACKEND": "mock", "HELPDESK_API_URL": ""},
    ],
)
def test_a_helpdesk_with_what_it_needs_starts(env: dict[str, str]) -> None:
    assert load_settings({**AUTH, **env}, NO_FILE).helpdesk_backend == env["HELPDESK_BACKEND"]


def test_the_repr_never_shows_secrets() -> None:
    secrets = {
        "AUTH_TOKEN": "tok-123",
        "WEBHOOK_SECRET": "sec-456",
        "REDIS_URL": "redis://:pw-789@h:1/0",
        "HELPDESK_API_KEY": "key-abc",
        "HELPDESK_OAUTH_TOKEN": "oauth-def",
        "HELPDESK_OAUTH_CLIENT_SECRET": "client-ghi",
    }
    text = repr(load_settings(secrets, NO_FILE))
    for secret in ("tok-123", "sec-456", "pw-789", "key-abc", "oauth-def", "client-ghi"):
        assert secret not in text
    assert "port=3000" in text  # the rest is shown


@pytest.mark.parametrize(
    ("env", "base_url"),
    [
        ({}, "http://127.0.0.1:3000"),
        ({"HOST": "0.0.0.0", "PORT": "8080"}, "http://0.0.0.0:8080"),
        ({"PUBLIC_BASE_URL": "https://bridge.example.com/"}, "https://bridge.example.com"),
    ],
)
def test_links_to_queued_handoffs_use_the_public_base_url(
    env: dict[str, str], base_url: str
) -> None:
    assert read({"AUTH_TOKEN": "t", **env}).base_url == base_url
