"""The Redis variables: the URL forms accepted and refused, and one clear error line naming the
variable that never echoes a password."""

from __future__ import annotations

import pytest

from entrypoints.config.settings import ConfigError, load_settings

NO_FILE = "/nonexistent/.env"
BASE = {"AUTH_TOKEN": "t"}


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:6379/0",
        "redis://redis.internal",
        "rediss://default:s3cret@cache.example.com:6380/2",
        "redis://[::1]:6379/1",
        "redis://cache.example.com:65535/",
    ],
)
def test_accepted_urls(url: str) -> None:
    settings = load_settings({**BASE, "STORE_BACKEND": "redis", "REDIS_URL": url}, NO_FILE)
    assert (settings.store_backend, settings.redis.url) == ("redis", url)


def test_overrides() -> None:
    env = {
        **BASE,
        "REDIS_KEY_PREFIX": "bridge-eu:",
        "REDIS_SOCKET_TIMEOUT_SECONDS": "0.25",
        "REDIS_CONNECT_TIMEOUT_SECONDS": "2",
        "REDIS_MAX_CONNECTIONS": "8",
        "REDIS_HEALTH_CHECK_INTERVAL_SECONDS": "0",
    }
    redis = load_settings(env, NO_FILE).redis
    assert (redis.key_prefix, redis.socket_timeout_seconds) == ("bridge-eu:", 0.25)
    assert (redis.connect_timeout_seconds, redis.max_connections) == (2.0, 8)
    assert redis.health_check_interval_seconds == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379",
        "127.0.0.1:6379",
        "redis://",
        "redis://host:port/0",
        "redis://host:0/0",
        "redis://host:65536/0",
        "redis://host:6379/zero",
        "redis://two words:6379",
    ],
)
def test_a_bad_url_names_the_variable_and_the_expected_form(url: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**BASE, "REDIS_URL": url}, NO_FILE)
    message = str(error.value)
    assert message.startswith("REDIS_URL must be redis[s]://[user:password@]host[:port][/db]")
    assert "\n" not in message


@pytest.mark.parametrize("prefix", ["has space:", "x" * 65, "tab\there", "bell\x07"])
def test_a_bad_key_prefix(prefix: str) -> None:
    with pytest.raises(ConfigError, match=r"^REDIS_KEY_PREFIX must be 1-64 printable"):
        load_settings({**BASE, "REDIS_KEY_PREFIX": prefix}, NO_FILE)


def test_a_password_in_a_bad_url_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**BASE, "REDIS_URL": "redis://user:hunter2@host:6379/db"}, NO_FILE)
    assert "hunter2" not in str(error.value)
    assert "user:***@host" in str(error.value)
