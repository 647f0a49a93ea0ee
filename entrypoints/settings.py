"""Configuration from the environment (and an optional ``.env``), validated once at start-up.

Every variable, its default and meaning is listed in ``.env.example`` and docs/configuration.md.
A bad value stops start-up with one line naming the variable (``ConfigError``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
from dotenv import dotenv_values

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


class ConfigError(Exception):
    """One configuration variable is wrong; the message names it and says what is expected."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """The service's configuration. Field names are the env names in lower case."""

    host: str = "127.0.0.1"
    port: int = 3000
    auth_token: str = ""
    webhook_secret: str = ""
    rate_limit_per_second: int = 10
    idempotency_ttl_seconds: int = 900
    dedup_ttl_seconds: int = 14_400
    hmac_tolerance_seconds: int = 300
    helpdesk_backend: str = "mock"
    store_backend: str = "memory"
    log_level: str = "info"
    log_format: str = "json"
    max_body_bytes: int = 65_536
    mock_helpdesk_url: str = "https://helpdesk.example.com"
    mock_helpdesk_healthy: bool = True
    mock_helpdesk_latency_ms: int = 0
    forwarded_allow_ips: str = "127.0.0.1"
    raw: Mapping[str, str] = msgspec.field(default_factory=dict)
    """Every variable as read, for adapters that read their own (helpdesk, redis) settings."""

    def to_config(self) -> dict[str, Any]:
        """The dict handed to the container's ``providers.Configuration``."""
        data = {f: getattr(self, f) for f in self.__struct_fields__ if f != "raw"}
        data["env"] = dict(self.raw)
        return data


def read_environment(
    environ: Mapping[str, str] | None = None, env_file: str = ".env"
) -> dict[str, str]:
    """The process environment over the ``.env`` file (the environment wins, as usual)."""
    values: dict[str, str] = {}
    path = Path(env_file)
    if path.is_file():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def load_settings(environ: Mapping[str, str] | None = None, env_file: str = ".env") -> Settings:
    """Parse and check every variable; raise ``ConfigError`` on the first bad one."""
    env = read_environment(environ, env_file)
    get = _Reader(env)
    settings = Settings(
        host=get.text("HOST", "127.0.0.1"),
        port=get.integer("PORT", 3000, 1, 65_535),
        auth_token=get.text("AUTH_TOKEN", ""),
        webhook_secret=get.text("WEBHOOK_SECRET", ""),
        rate_limit_per_second=get.integer("RATE_LIMIT_PER_SECOND", 10, 1, 1_000_000),
        idempotency_ttl_seconds=get.integer("IDEMPOTENCY_TTL_SECONDS", 900, 1, 86_400 * 7),
        dedup_ttl_seconds=get.integer("DEDUP_TTL_SECONDS", 14_400, 1, 86_400 * 30),
        hmac_tolerance_seconds=get.integer("HMAC_TOLERANCE_SECONDS", 300, 1, 3_600),
        helpdesk_backend=get.choice("HELPDESK_BACKEND", "mock", ("mock", "zendesk", "rt")),
        store_backend=get.choice("STORE_BACKEND", "memory", ("memory", "redis")),
        log_level=get.choice("LOG_LEVEL", "info", LOG_LEVELS),
        log_format=get.choice("LOG_FORMAT", "json", ("json", "console")),
        max_body_bytes=get.integer("MAX_BODY_BYTES", 65_536, 1_024, 1_048_576),
        mock_helpdesk_url=get.url("MOCK_HELPDESK_URL", "https://helpdesk.example.com"),
        mock_helpdesk_healthy=get.boolean("MOCK_HELPDESK_HEALTHY", True),
        mock_helpdesk_latency_ms=get.integer("MOCK_HELPDESK_LATENCY_MS", 0, 0, 60_000),
        forwarded_allow_ips=get.text("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        raw=env,
    )
    if not settings.auth_token and not settings.webhook_secret:
        raise ConfigError(
            "AUTH_TOKEN or WEBHOOK_SECRET must be set: the hand-off endpoint refuses to run "
            "unauthenticated (set AUTH_TOKEN=<random string>, e.g. `openssl rand -hex 32`)"
        )
    return settings


class _Reader:
    """Typed reads of env variables, each failure a ``ConfigError`` naming the variable."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def _value(self, name: str) -> str | None:
        value = self._env.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def text(self, name: str, default: str) -> str:
        value = self._value(name)
        return default if value is None else value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self._value(name)
        if value is None:
            return default
        expected = f"{name} must be an integer from {low} to {high} (got {value!r})"
        try:
            parsed = int(value)
        except ValueError:
            raise ConfigError(expected) from None
        if not low <= parsed <= high:
            raise ConfigError(expected)
        return parsed

    def choice(self, name: str, default: str, options: tuple[str, ...]) -> str:
        value = self._value(name)
        if value is None:
            return default
        if value.lower() not in options:
            raise ConfigError(f"{name} must be one of {', '.join(options)} (got {value!r})")
        return value.lower()

    def boolean(self, name: str, default: bool) -> bool:
        value = self._value(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be true or false (got {value!r})")

    def url(self, name: str, default: str) -> str:
        value = self._value(name)
        if value is None:
            return default
        if not value.startswith(("http://", "https://")):
            raise ConfigError(f"{name} must be an http(s) URL (got {value!r})")
        return value.rstrip("/")
