"""The Redis variables: defaults, accepted forms, and one clear error line naming the variable."""

from __future__ import annotations

import pytest

from entrypoints.settings import ConfigError, load_settings

NO_FILE = "/nonexistent/.env"
BASE = {"AUTH_TOKEN": "t"}


def test_defaults() -> None:
    settings = load_settings(BASE, NO_FILE)
    assert settings.store_backend == "memory"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.redis_key_prefix == "hdb:"
    assert settings.redis_socket_timeout_seconds == 1.0
    assert settings.redis_connect_timeout_seconds == 1.0
    assert settings.redis_max_connections == 50
    assert settings.redis_health_check_interval_seconds == 30


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "redis://redis.internal",
        "rediss://default:s3cret@cache.example.com:6380/2",
        "redis://[::1]:6379/1",
    ],
)
def test_accepted_urls(url: str) -> None:
    env = {**BASE, "STORE_BACKEND": "redis", "REDIS_URL": url}
    settings = load_settings(env, NO_FILE)
    assert (settings.store_backend, settings.redis_url) == ("redis", url)


def test_overrides() -> None:
    env = {
        **BASE,
        "REDIS_KEY_PREFIX": "bridge-eu:",
        "REDIS_SOCKET_TIMEOUT_SECONDS": "0.25",
        "REDIS_CONNECT_TIMEOUT_SECONDS": "2",
        "REDIS_MAX_CONNECTIONS": "8",
        "REDIS_HEALTH_CHECK_INTERVAL_SECONDS": "0",
    }
    settings = load_settings(env, NO_FILE)
    assert settings.redis_key_prefix == "bridge-eu:"
    assert settings.redis_socket_timeout_seconds == 0.25
    assert settings.redis_connect_timeout_seconds == 2.0
    assert settings.redis_max_connections == 8
    assert settings.redis_health_check_interval_seconds == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("REDIS_URL", "127.0.0.1:6379"),
        ("REDIS_URL", "redis://"),
        ("REDIS_URL", "redis://host:port/0"),
        ("REDIS_URL", "redis://host:6379/zero"),
        ("REDIS_KEY_PREFIX", "has space:"),
        ("REDIS_KEY_PREFIX", "x" * 65),
        ("REDIS_SOCKET_TIMEOUT_SECONDS", "0"),
        ("REDIS_SOCKET_TIMEOUT_SECONDS", "fast"),
        ("REDIS_CONNECT_TIMEOUT_SECONDS", "nan"),
        ("REDIS_MAX_CONNECTIONS", "0"),
        ("REDIS_HEALTH_CHECK_INTERVAL_SECONDS", "-1"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**BASE, name: value}, NO_FILE)
    message = str(error.value)
    assert message.startswith(name)
    assert "\n" not in message


def test_a_password_in_a_bad_url_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**BASE, "REDIS_URL": "redis://user:hunter2@host:6379/db"}, NO_FILE)
    assert "hunter2" not in str(error.value)
    assert "user:***@host" in str(error.value)
