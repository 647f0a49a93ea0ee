"""Configuration from the environment (and an optional ``.env``), validated once at start-up.

Every variable, its default and meaning is listed in ``.env.example`` and docs/configuration.md.
A bad value stops start-up with one line naming the variable (``ConfigError``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
from dotenv import dotenv_values

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MCP_TOOL_NAME_STYLES = ("underscore", "dotted")
# Host header values the Streamable HTTP endpoint (/mcp) answers to (DNS-rebinding protection).
# An entry without a port matches that host on any port; "*" switches the check off.
DEFAULT_MCP_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_HOST_ENTRY = re.compile(
    r"^(?:\*|(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])(?::(?:\d{1,5}|\*))?)$"
)


class ConfigError(Exception):
    """One configuration variable is wrong; the message names it and says what is expected."""


_SECRET_FIELDS = frozenset({"auth_token", "webhook_secret", "redis_url"})


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
    readyz_cache_seconds: int = 10
    redis_url: str = DEFAULT_REDIS_URL
    redis_key_prefix: str = "hdb:"
    redis_socket_timeout_seconds: float = 1.0
    redis_connect_timeout_seconds: float = 1.0
    redis_max_connections: int = 50
    redis_health_check_interval_seconds: int = 30
    mcp_tool_name_style: str = "underscore"
    """``underscore`` (helpdesk_create_ticket: what Claude, ElevenLabs & co. accept) or
    ``dotted`` (the spec's helpdesk.create_ticket); see docs/mcp.md."""
    mcp_allowed_hosts: tuple[str, ...] = DEFAULT_MCP_ALLOWED_HOSTS
    raw: Mapping[str, str] = msgspec.field(default_factory=dict)
    """Every variable as read, for adapters that read their own (helpdesk, redis) settings."""

    def __repr__(self) -> str:
        """Never the secrets or the raw environment: a repr can end up in a log or a trace."""

        def shown(name: str) -> str:
            value = getattr(self, name)
            return "'***'" if name in _SECRET_FIELDS and value else repr(value)

        fields = ", ".join(f"{n}={shown(n)}" for n in self.__struct_fields__ if n != "raw")
        return f"Settings({fields})"

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


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str = ".env", *, require_auth: bool = True
) -> Settings:
    """Parse and check every variable; raise ``ConfigError`` on the first bad one.

    ``require_auth=False`` is for ``helpdesk-bridge mcp`` (stdio): its only client is the local
    process that spawned it, so it needs neither AUTH_TOKEN nor WEBHOOK_SECRET.
    """
    env = read_environment(environ, env_file)
    get = EnvReader(env)
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
        readyz_cache_seconds=get.integer("READYZ_CACHE_SECONDS", 10, 0, 300),
        redis_url=get.redis_url("REDIS_URL", DEFAULT_REDIS_URL),
        redis_key_prefix=get.key_prefix("REDIS_KEY_PREFIX", "hdb:"),
        redis_socket_timeout_seconds=get.number("REDIS_SOCKET_TIMEOUT_SECONDS", 1.0, 0.05, 60.0),
        redis_connect_timeout_seconds=get.number("REDIS_CONNECT_TIMEOUT_SECONDS", 1.0, 0.05, 60.0),
        redis_max_connections=get.integer("REDIS_MAX_CONNECTIONS", 50, 1, 10_000),
        redis_health_check_interval_seconds=get.integer(
            "REDIS_HEALTH_CHECK_INTERVAL_SECONDS", 30, 0, 3_600
        ),
        mcp_tool_name_style=get.choice("MCP_TOOL_NAME_STYLE", "underscore", MCP_TOOL_NAME_STYLES),
        mcp_allowed_hosts=get.hosts("MCP_ALLOWED_HOSTS", DEFAULT_MCP_ALLOWED_HOSTS),
        raw=env,
    )
    if require_auth and not settings.auth_token and not settings.webhook_secret:
        raise ConfigError(
            "AUTH_TOKEN or WEBHOOK_SECRET must be set: the hand-off endpoint refuses to run "
            "unauthenticated (set AUTH_TOKEN=<random string>, e.g. `openssl rand -hex 32`)"
        )
    from entrypoints.helpdesk_wiring import check_helpdesk_settings  # it reads EnvReader

    check_helpdesk_settings(settings.helpdesk_backend, env)
    return settings


class EnvReader:
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
        return int(self._bounded(name, default, low, high, int, "an integer"))

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

    def hosts(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._value(name)
        if value is None:
            return default
        entries = tuple(entry.strip() for entry in value.split(",") if entry.strip())
        bad = [entry for entry in entries if not _HOST_ENTRY.match(entry)]
        if bad or not entries:
            raise ConfigError(
                f"{name} must be a comma list of host names, host:port, host:* or * (got {value!r})"
            )
        return entries

    def url(self, name: str, default: str) -> str:
        value = self._value(name)
        if value is None:
            return default
        if not value.startswith(("http://", "https://")):
            raise ConfigError(f"{name} must be an http(s) URL (got {value!r})")
        return value.rstrip("/")

    def number(self, name: str, default: float, low: float, high: float) -> float:
        return self._bounded(name, default, low, high, float, "a number")

    def _bounded(
        self,
        name: str,
        default: float,
        low: float,
        high: float,
        convert: type[int] | type[float],
        kind: str,
    ) -> float:
        """A number within ``[low, high]`` (nan is refused: it is within no range)."""
        value = self._value(name)
        if value is None:
            return default
        expected = f"{name} must be {kind} from {low} to {high} (got {value!r})"
        try:
            parsed = convert(value)
        except ValueError:
            raise ConfigError(expected) from None
        if not low <= parsed <= high:
            raise ConfigError(expected)
        return parsed

    def redis_url(self, name: str, default: str) -> str:
        """``redis://`` or ``rediss://`` (TLS) with a host, optional port and database number.
        A password in the URL is never echoed back in the error."""
        value = self._value(name)
        if value is None:
            return default
        try:
            parts = urlsplit(value)
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            parts, port_ok = None, False
        shown = _without_password(value)
        if parts is None or parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ConfigError(
                f"{name} must be a redis://host[:port][/db] or rediss:// (TLS) URL (got {shown!r})"
            )
        if not port_ok or not (parts.path in ("", "/") or parts.path[1:].isdigit()):
            raise ConfigError(
                f"{name} must be redis[s]://[user:password@]host[:port][/db] with a numeric "
                f"port and database (got {shown!r})"
            )
        return value

    def key_prefix(self, name: str, default: str) -> str:
        value = self._value(name)
        if value is None:
            return default
        if len(value) > 64 or not value.isprintable() or any(c.isspace() for c in value):
            raise ConfigError(
                f"{name} must be 1-64 printable characters without spaces (got {value!r})"
            )
        return value


def _without_password(url: str) -> str:
    """``redis://user:secret@host`` -> ``redis://user:***@host`` (for error messages)."""
    scheme, separator, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"
