"""Configuration: defaults, overrides, and one clear error naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.settings import ConfigError, load_settings

NO_FILE = "/nonexistent/.env"


def test_defaults() -> None:
    settings = load_settings({"AUTH_TOKEN": "t"}, NO_FILE)
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert settings.rate_limit_per_second == 10
    assert (settings.idempotency_ttl_seconds, settings.dedup_ttl_seconds) == (900, 14_400)
    assert settings.hmac_tolerance_seconds == 300
    assert (settings.helpdesk_backend, settings.store_backend) == ("mock", "memory")
    assert (settings.log_level, settings.log_format) == ("info", "json")


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("AUTH_TOKEN=from-file\nPORT=4000\n")
    settings = load_settings({"PORT": "5000"}, str(env_file))
    assert (settings.auth_token, settings.port) == ("from-file", 5000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("RATE_LIMIT_PER_SECOND", "0"),
        ("HELPDESK_BACKEND", "nope"),
        ("STORE_BACKEND", "sqlite"),
        ("LOG_LEVEL", "loud"),
        ("LOG_FORMAT", "xml"),
        ("MOCK_HELPDESK_HEALTHY", "maybe"),
        ("MOCK_HELPDESK_URL", "ftp://x"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"AUTH_TOKEN": "t", name: value}, NO_FILE)
    message = str(error.value)
    assert message.startswith(name)
    assert "\n" not in message


def test_refuses_to_run_without_any_authentication() -> None:
    with pytest.raises(ConfigError, match="AUTH_TOKEN or WEBHOOK_SECRET"):
        load_settings({}, NO_FILE)
    assert load_settings({"WEBHOOK_SECRET": "s"}, NO_FILE).webhook_secret == "s"


def test_the_repr_never_shows_secrets() -> None:
    settings = load_settings(
        {"AUTH_TOKEN": "tok-123", "WEBHOOK_SECRET": "sec-456", "REDIS_URL": "redis://:pw@h:1/0"},
        NO_FILE,
    )
    text = repr(settings)
    for secret in ("tok-123", "sec-456", "pw@"):
        assert secret not in text
