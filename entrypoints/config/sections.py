"""The settings' sections (a prefix each: ``HELPDESK_``, ``RT_``, ``REDIS_``, ...) and the value
shapes they share with the top-level settings (``entrypoints.config.settings``), declared once.

The defaults here are the operator's (documented in .env.example and docs/configuration.md);
an adapter built directly (by a test) has the same ones as its own, and a unit test
(tests/unit/entrypoints/config/test_settings_defaults.py) keeps the two equal, so configuration
never imports an adapter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from msgspec import Meta

from entrypoints.config.reader import EXPECTED, SECRET, Declaration, shaped

APP_NAME = "helpdesk-bridge"
MOCK_HELPDESK_URL = "https://helpdesk.example.com"
ZENDESK_OAUTH_SCOPES = "read write"
ATTEMPT_TIMEOUT_SECONDS = 5.0
RETRY_BUDGET_SECONDS = 8.0
REQUESTER_CACHE_SECONDS = 86_400

# Host header values the Streamable HTTP endpoint (/mcp) answers to (DNS-rebinding protection).
# An entry without a port matches that host on any port; "*" switches the check off.
DEFAULT_MCP_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_HOST = r"^(?:\*|(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]+\])(?::(?:\d{1,5}|\*))?)$"
_PORT = r"(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})"
_REDIS_URL = (
    rf"^rediss?://(?:[^@/\s]*@)?(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::{_PORT})?(?:/\d*)?$"
)

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
    timeout_seconds: Annotated[float, Meta(ge=0.1, le=60.0)] = ATTEMPT_TIMEOUT_SECONDS
    retry_budget_seconds: Annotated[float, Meta(ge=0.0, le=18.0)] = RETRY_BUDGET_SECONDS
    down_policy: Literal["queue", "fail"] = "queue"
    """``queue``: a hand-off the helpdesk cannot take in time is kept in the outbox (202);
    ``fail``: the spec's 503 HELPDESK_UNAVAILABLE."""
    rate_limit_per_minute: Annotated[int, Meta(ge=0, le=1_000_000)] = 0
    """The bridge's own pace of helpdesk calls across the fleet (0: none; e.g. 200 for a
    Zendesk Team plan)."""
    requester_cache_seconds: Annotated[int, Meta(ge=60, le=86_400 * 30)] = REQUESTER_CACHE_SECONDS
    """How long a caller's Zendesk user is remembered (in Redis for a fleet), so a known caller
    costs no user look-up."""


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


def default_outbox_path() -> Path:
    """Where the outbox lives when ``OUTBOX_PATH`` is not set: the user's state directory
    (``~/.local/state/helpdesk-bridge/outbox.sqlite3`` on Linux), which survives reboots and
    package upgrades, unlike a temporary or a cache directory."""
    return platformdirs.user_state_path(APP_NAME) / "outbox.sqlite3"


class OutboxSettings(Declaration, frozen=True):
    """``OUTBOX_*``: where queued hand-offs are kept (STORE_BACKEND=memory: a SQLite file; redis:
    in Redis) and how long they are tried before they are reported dead."""

    path: str = ""
    """The SQLite file; empty: ``outbox.sqlite3`` in the user's state directory."""

    def file(self) -> Path:
        """The SQLite file this names: ``path``, or the default one."""
        return Path(self.path) if self.path else default_outbox_path()

    max_age_seconds: Annotated[int, Meta(ge=60, le=86_400 * 30)] = 86_400
