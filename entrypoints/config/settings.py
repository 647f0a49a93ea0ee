"""The service's settings, each declared once: a field, its bounds or choices, its default.

A field's variable is its name upper-cased, a section's fields take the section's name as prefix
(``redis.max_connections`` is ``REDIS_MAX_CONNECTIONS``). Values come from the environment over
an optional ``.env`` (or from any ``str -> str`` mapping, through ``settings_from``) and are
checked once at start-up: a bad one stops it with one line naming the variable (``ConfigError``).
Every secret can come from a file instead (``AUTH_TOKEN_FILE``: Docker and Kubernetes secrets),
and ``entrypoints/config/reload.py`` reads them again on SIGHUP.
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

from application.speech.handoff import (
    DEFAULT_FILED,
    DEFAULT_QUEUED,
    FILED_PLACEHOLDER,
    QUEUED_PLACEHOLDER,
    template_pattern,
    template_rule_text,
)
from application.use_cases.idempotency import DEFAULT_TTL_SECONDS as IDEMPOTENCY_TTL_SECONDS
from domain.dedup import DEFAULT_WINDOW_SECONDS
from domain.phone import REGION_PATTERN
from entrypoints.config.reader import (
    ConfigError,
    Declaration,
    Setting,
    comma_values,
    read_declaration,
    settings_of,
    shaped,
)
from entrypoints.config.sections import (
    DEFAULT_MCP_ALLOWED_HOSTS,
    HelpdeskSettings,
    Hosts,
    MockHelpdeskSettings,
    OutboxSettings,
    RedisSettings,
    RtOptions,
    Secret,
    ZendeskFields,
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


def _template(placeholder: str) -> Meta:
    """A ``say`` template's setting: the speech templates' own rule, checked at start-up."""
    return shaped(template_pattern(placeholder), template_rule_text(placeholder))


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
    say_filed_template: Annotated[str, _template(FILED_PLACEHOLDER)] = DEFAULT_FILED
    """The hand-off answer's ``say`` for a ticket filed or found (200)."""
    say_queued_template: Annotated[str, _template(QUEUED_PLACEHOLDER)] = DEFAULT_QUEUED
    """The hand-off answer's ``say`` for a queued hand-off (202, an HB- reference)."""
    tenants_file: str = ""
    """A TOML file with one ``[tenants.NAME]`` table per tenant (entrypoints/config/tenants.py);
    empty: the environment configures one implicit tenant."""
    header_timeout_seconds: Annotated[float, Meta(ge=1.0, le=300.0)] = 10.0
    """A request's head (request line and headers) arrives within this of the connection or of
    the previous answer on a kept-alive connection, else the connection is closed (408)."""
    body_timeout_seconds: Annotated[float, Meta(ge=1.0, le=300.0)] = 10.0
    """A request's body arrives within this of its head, else the connection is closed (408)."""
    keepalive_timeout_seconds: Annotated[float, Meta(ge=1.0, le=300.0)] = 5.0
    """A kept-alive connection that sends nothing for this long after an answer is closed."""
    max_connections: Annotated[int, Meta(ge=8, le=1_000_000)] = 1_000
    """Open connections per process (lowered to fit the process's file limit); past it the
    longest-waiting idle one is closed, or the newcomer refused at once (503)."""
    max_header_bytes: Annotated[int, Meta(ge=1_024, le=1_048_576)] = 16_384
    """The request line and headers in all; larger -> 431 and the connection closed."""
    max_header_fields: Annotated[int, Meta(ge=8, le=10_000)] = 100
    """Header fields per request; more -> 431 and the connection closed."""
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
    # With a tenants file each tenant brings its own credentials (entrypoints/config/tenants.py).
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
