"""The service's settings, each declared once: a field, its bounds or choices, its default.

A field's variable is its name upper-cased, a section's fields take the section's name as prefix
(``redis.max_connections`` is ``REDIS_MAX_CONNECTIONS``). Values come from the environment over
an optional ``.env`` (or from any ``str -> str`` mapping, through ``settings_from``) and are
checked once at start-up: a bad one stops it with one line naming the variable (``ConfigError``).
Every secret can come from a file instead (``AUTH_TOKEN_FILE``: Docker and Kubernetes secrets),
and ``entrypoints/reload.py`` reads them again on SIGHUP.
Adding a setting is adding its field here and its line (with its default) to ``.env.example``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from dotenv import dotenv_values
from msgspec import Meta

from adapters.helpdesk.mock import DEFAULT_BASE_URL as MOCK_HELPDESK_URL
from adapters.helpdesk.resilience import RetryPolicy
from adapters.helpdesk.zendesk_oauth import DEFAULT_SCOPES as ZENDESK_OAUTH_SCOPES
from application.idempotency import DEFAULT_TTL_SECONDS as IDEMPOTENCY_TTL_SECONDS
from domain.dedup import DEFAULT_WINDOW_SECONDS
from domain.phone import REGION_PATTERN
from entrypoints.say import (
    DEFAULT_FILED,
    DEFAULT_QUEUED,
    FILED_PLACEHOLDER,
    QUEUED_PLACEHOLDER,
    template_rule,
)
from entrypoints.settings_reader import (
    EXPECTED,
    SECRET,
    ConfigError,
    Declaration,
    Setting,
    comma_values,
    read_declaration,
    settings_of,
    shaped,
)

__all__ = [
    "DEFAULT_MCP_ALLOWED_HOSTS",
    "ConfigError",
    "HelpdeskSettings",
    "MockHelpdeskSettings",
    "OutboxSettings",
    "RedisSettings",
    "RtOptions",
    "Settings",
    "ZendeskFields",
    "check_helpdesk_settings",
    "declared_settings",
    "load_settings",
    "read_environment",
    "settings_from",
]

# Host header values the Streamable HTTP endpoint (/mcp) answers to (DNS-rebinding protection).
# An entry without a port matches that host on any port; "*" switches the check off.
DEFAULT_MCP_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_HOST = r"^(?:\*|(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]+\])(?::(?:\d{1,5}|\*))?)$"
_PORT = r"(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})"
_REDIS_URL = (
    rf"^rediss?://(?:[^@/\s]*@)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::{_PORT})?(?:/\d*)?$"
)
_RETRY = RetryPolicy()  # the adapters' own defaults, so the two cannot drift

HttpUrl = Annotated[str, shaped(r"^https?://[^\s/]+", "an http(s) URL")]
Secret = Annotated[str, Meta(extra={SECRET: True})]
Timeout = Annotated[float, Meta(ge=0.05, le=60.0)]
FieldId = Annotated[int, Meta(ge=1, le=2**53)] | None
Hosts = Annotated[
    tuple[Annotated[str, Meta(pattern=_HOST)], ...],
    Meta(min_length=1, extra={EXPECTED: "a comma list of host names, host:port, host:* or *"}),
]
RedisUrl = Annotated[
    str,
    shaped(
        _REDIS_URL,
        "redis[s]://[user:password@]host[:port][/db] (rediss:// for TLS) with a numeric port "
        "and database",
        secret=True,
    ),
]
KeyPrefix = Annotated[
    str, shaped(r"^[^\s\x00-\x1f\x7f-\x9f]{1,64}$", "1-64 printable characters without spaces")
]
RtFieldName = Annotated[str, shaped(r"^[^{}'\\]+$", "a plain custom field name")]
OAuthScopes = Annotated[
    str,
    shaped(
        r"^[A-Za-z0-9_:.-]+(?: [A-Za-z0-9_:.-]+)*$",
        "OAuth scopes separated by single spaces, e.g. 'read write' or 'tickets:write read'",
    ),
]


class MockHelpdeskSettings(Declaration, frozen=True):
    """``MOCK_HELPDESK_*``: the in-process helpdesk (HELPDESK_BACKEND=mock)."""

    url: HttpUrl = MOCK_HELPDESK_URL
    healthy: bool = True
    latency_ms: Annotated[int, Meta(ge=0, le=60_000)] = 0


class HelpdeskSettings(Declaration, frozen=True):
    """``HELPDESK_*``: where the real helpdesk (zendesk or rt) is, how to sign in, how long to
    wait for one call and for one operation's retries."""

    api_url: HttpUrl = ""
    api_email: str = ""
    api_key: Secret = ""
    oauth_token: Secret = ""
    oauth_client_id: str = ""
    """Zendesk: an OAuth client's identifier; with its secret, tokens come from the client
    credentials grant (they win over HELPDESK_OAUTH_TOKEN and e-mail + API key)."""
    oauth_client_secret: Secret = ""
    oauth_scopes: OAuthScopes = ZENDESK_OAUTH_SCOPES
    timeout_seconds: Annotated[float, Meta(ge=0.1, le=60.0)] = _RETRY.attempt_timeout_seconds
    retry_budget_seconds: Annotated[float, Meta(ge=0.0, le=18.0)] = _RETRY.budget_seconds
    down_policy: Literal["queue", "fail"] = "queue"
    """``queue``: a hand-off the helpdesk cannot take in time is kept in the outbox (202);
    ``fail``: the spec's 503 HELPDESK_UNAVAILABLE."""
    rate_limit_per_minute: Annotated[int, Meta(ge=0, le=1_000_000)] = 0
    """The bridge's own pace of helpdesk calls across the fleet (0: none; e.g. 200 for a
    Zendesk Team plan)."""


class ZendeskFields(Declaration, frozen=True):
    """``ZENDESK_*``: optional ticket custom fields receiving category, reason and confidence."""

    category_field_id: FieldId = None
    reason_field_id: FieldId = None
    confidence_field_id: FieldId = None


class RtOptions(Declaration, frozen=True):
    """``RT_*``: the queue tickets go to and the custom fields holding the dedup key and the
    caller's number."""

    queue: str = "General"
    external_ref_field: RtFieldName = "ExternalRef"
    caller_field: RtFieldName = "CallerNumber"


class RedisSettings(Declaration, frozen=True):
    """``REDIS_*``: the shared store (STORE_BACKEND=redis) and its connection pool."""

    url: RedisUrl = "redis://127.0.0.1:6379/0"
    key_prefix: KeyPrefix = "hdb:"
    socket_timeout_seconds: Timeout = 1.0
    connect_timeout_seconds: Timeout = 1.0
    max_connections: Annotated[int, Meta(ge=1, le=10_000)] = 50
    health_check_interval_seconds: Annotated[int, Meta(ge=0, le=3_600)] = 30


class OutboxSettings(Declaration, frozen=True):
    """``OUTBOX_*``: where queued hand-offs are kept (STORE_BACKEND=memory: a SQLite file; redis:
    in Redis) and how long they are tried before they are reported dead."""

    path: str = ""
    """The SQLite file; empty: ``outbox.sqlite3`` in the user's state directory."""
    max_age_seconds: Annotated[int, Meta(ge=60, le=86_400 * 30)] = 86_400


class Settings(Declaration, frozen=True):
    """The service's configuration (see docs/configuration.md for each variable's meaning)."""

    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=1, le=65_535)] = 3000
    auth_token: Secret = ""
    webhook_secret: Secret = ""
    rate_limit_per_second: Annotated[int, Meta(ge=1, le=1_000_000)] = 10
    idempotency_ttl_seconds: Annotated[int, Meta(ge=1, le=86_400 * 7)] = IDEMPOTENCY_TTL_SECONDS
    dedup_ttl_seconds: Annotated[int, Meta(ge=1, le=86_400 * 30)] = DEFAULT_WINDOW_SECONDS
    hmac_tolerance_seconds: Annotated[int, Meta(ge=1, le=3_600)] = 300
    helpdesk_backend: Literal["mock", "zendesk", "rt"] = "mock"
    store_backend: Literal["memory", "redis"] = "memory"
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    log_format: Literal["json", "console"] = "json"
    max_body_bytes: Annotated[int, Meta(ge=1_024, le=1_048_576)] = 65_536
    forwarded_allow_ips: str = "127.0.0.1"
    readyz_cache_seconds: Annotated[int, Meta(ge=0, le=300)] = 10
    handoff_deadline_seconds: Annotated[float, Meta(ge=1.0, le=120.0)] = 10.0
    """The whole hand-off (look-ups, create, retries, waits) fits in this, from its arrival."""
    public_base_url: Annotated[str, shaped(r"^(?:https?://[^\s/]+\S*)?$", "an http(s) URL")] = ""
    """Where this service is reached (links to queued hand-offs); empty: http://HOST:PORT."""
    mcp_tool_name_style: Literal["underscore", "dotted"] = "underscore"
    """``underscore`` (helpdesk_create_ticket: what Claude, ElevenLabs & co. accept) or
    ``dotted`` (the spec's helpdesk.create_ticket); see docs/mcp.md."""
    mcp_allowed_hosts: Hosts = DEFAULT_MCP_ALLOWED_HOSTS
    elevenlabs_webhook_secret: Secret = ""
    """The post-call webhook's secret(s), a comma list; empty: that route answers 404."""
    post_call_max_body_bytes: Annotated[int, Meta(ge=65_536, le=67_108_864)] = 8_388_608
    """Largest post-call transcription read (audio is answered whatever its size, unheld)."""
    default_phone_region: Annotated[
        str, shaped(f"^$|{REGION_PATTERN}", "a region code such as US, GB or DE (ISO 3166-1)")
    ] = ""
    """Where a caller number written without its country code is read from; empty: only
    numbers with +<country code> are valid."""
    say_filed_template: Annotated[str, template_rule(FILED_PLACEHOLDER)] = DEFAULT_FILED
    """The hand-off answer's ``say`` for a ticket filed or found (200)."""
    say_queued_template: Annotated[str, template_rule(QUEUED_PLACEHOLDER)] = DEFAULT_QUEUED
    """The hand-off answer's ``say`` for a queued hand-off (202, an HB- reference)."""
    tenants_file: str = ""
    """A TOML file with one ``[tenants.NAME]`` table per tenant (entrypoints/tenants.py); empty:
    the environment configures one implicit tenant."""
    mock_helpdesk: MockHelpdeskSettings = msgspec.field(default_factory=MockHelpdeskSettings)
    helpdesk: HelpdeskSettings = msgspec.field(default_factory=HelpdeskSettings)
    zendesk: ZendeskFields = msgspec.field(default_factory=ZendeskFields)
    rt: RtOptions = msgspec.field(default_factory=RtOptions)
    redis: RedisSettings = msgspec.field(default_factory=RedisSettings)
    outbox: OutboxSettings = msgspec.field(default_factory=OutboxSettings)

    @property
    def phone_region(self) -> str | None:
        """``DEFAULT_PHONE_REGION`` in the upper case phonenumbers wants, or None."""
        return self.default_phone_region.upper() or None

    @property
    def base_url(self) -> str:
        """``PUBLIC_BASE_URL`` without a trailing slash, or ``http://HOST:PORT``."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def auth_tokens(self) -> tuple[str, ...]:
        """Every ``AUTH_TOKEN`` value (a comma list: all are valid, for rotation)."""
        return comma_values(self.auth_token)

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """Every ``WEBHOOK_SECRET`` value (a comma list: all are valid, for rotation)."""
        return comma_values(self.webhook_secret)


def declared_settings() -> tuple[Setting, ...]:
    """Every setting (variable name, attribute path, type, default), in declaration order."""
    return settings_of(Settings)


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
    return settings_from(read_environment(environ, env_file), require_auth=require_auth)


def settings_from(values: Mapping[str, str], *, require_auth: bool = True) -> Settings:
    """The settings in ``values``, keyed by variable name (a file keyed by the names in lower
    case is read as ``{key.upper(): value}``); every check of ``load_settings`` applies."""
    settings = read_declaration(Settings, values)
    # With a tenants file each tenant brings its own credentials (entrypoints/tenants.py).
    needs_auth = require_auth and not settings.tenants_file
    if needs_auth and not settings.auth_tokens and not settings.webhook_secrets:
        raise ConfigError(
            "AUTH_TOKEN or WEBHOOK_SECRET must be set: the hand-off endpoint refuses to run "
            "unauthenticated (set AUTH_TOKEN=<random string>, e.g. `openssl rand -hex 32`)"
        )
    check_helpdesk_settings(settings)
    return settings


def check_helpdesk_settings(settings: Settings) -> None:
    """What the chosen real helpdesk needs beyond each value's own shape: its address and its
    credentials, so a gap stops start-up instead of failing the first hand-off."""
    backend, helpdesk = settings.helpdesk_backend, settings.helpdesk
    if backend == "mock":
        return
    if not helpdesk.api_url:
        raise ConfigError("HELPDESK_API_URL must be set to the helpdesk's https:// address")
    client = (helpdesk.oauth_client_id, helpdesk.oauth_client_secret)
    if backend == "zendesk" and any(client) and not all(client):
        raise ConfigError(
            "HELPDESK_OAUTH_CLIENT_ID and HELPDESK_OAUTH_CLIENT_SECRET go together: set both "
            "(an OAuth client of the Zendesk account) or neither"
        )
    if backend == "zendesk" and not (
        all(client) or helpdesk.oauth_token or (helpdesk.api_email and helpdesk.api_key)
    ):
        raise ConfigError(
            "HELPDESK_OAUTH_CLIENT_ID and HELPDESK_OAUTH_CLIENT_SECRET (OAuth client "
            "credentials), HELPDESK_OAUTH_TOKEN, or HELPDESK_API_EMAIL and HELPDESK_API_KEY "
            "(an API token) must be set for HELPDESK_BACKEND=zendesk"
        )
    if backend == "rt" and not helpdesk.api_key:
        raise ConfigError(
            "HELPDESK_API_KEY must be set to an RT auth token for HELPDESK_BACKEND=rt"
        )
