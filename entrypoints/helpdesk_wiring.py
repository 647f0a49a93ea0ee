"""The real helpdesk gateways (Zendesk, Request Tracker) built from the environment.

Settings are read and checked at start-up (``check_helpdesk_settings``), so a missing URL or
token stops the service with one line naming the variable instead of failing the first call.
Each backend gets one shared ``httpx.AsyncClient``, registered in ``OpenedClients`` so the
app's lifespan closes it.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.helpdesk.resilience import Resilience, RetryPolicy
from adapters.helpdesk.rt import RtHelpdesk, RtSettings, build_rt_client
from adapters.helpdesk.zendesk import ZendeskHelpdesk, ZendeskSettings, build_zendesk_client
from application.ports import Clock
from entrypoints.opened_clients import OpenedClients
from entrypoints.settings import ConfigError, EnvReader


def _url(read: EnvReader) -> str:
    url = read.text("HELPDESK_API_URL", "")
    if not url:
        raise ConfigError("HELPDESK_API_URL must be set to the helpdesk's https:// address")
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"HELPDESK_API_URL must be an http(s) URL (got {url!r})")
    return url


def _optional_id(read: EnvReader, name: str) -> int | None:
    value = read.text(name, "")
    return read.integer(name, 0, 1, 2**53) if value else None


def zendesk_settings(env: Mapping[str, str]) -> ZendeskSettings:
    """Zendesk's settings from the environment; ``ConfigError`` names what is missing."""
    read = EnvReader(env)
    url = _url(read)
    email = read.text("HELPDESK_API_EMAIL", "") or None
    token = read.text("HELPDESK_API_KEY", "") or None
    oauth = read.text("HELPDESK_OAUTH_TOKEN", "") or None
    if not oauth and not (email and token):
        raise ConfigError(
            "HELPDESK_API_EMAIL and HELPDESK_API_KEY (an API token), or HELPDESK_OAUTH_TOKEN, "
            "must be set for HELPDESK_BACKEND=zendesk"
        )
    return ZendeskSettings(
        api_url=url,
        email=email,
        api_token=token,
        oauth_token=oauth,
        timeout_seconds=read.number("HELPDESK_TIMEOUT_SECONDS", 5.0, 0.1, 60.0),
        category_field_id=_optional_id(read, "ZENDESK_CATEGORY_FIELD_ID"),
        reason_field_id=_optional_id(read, "ZENDESK_REASON_FIELD_ID"),
        confidence_field_id=_optional_id(read, "ZENDESK_CONFIDENCE_FIELD_ID"),
    )


def rt_settings(env: Mapping[str, str]) -> RtSettings:
    """Request Tracker's settings from the environment."""
    read = EnvReader(env)
    url = _url(read)
    token = read.text("HELPDESK_API_KEY", "")
    if not token:
        raise ConfigError(
            "HELPDESK_API_KEY must be set to an RT auth token for HELPDESK_BACKEND=rt"
        )
    field_name = read.text("RT_EXTERNAL_REF_FIELD", "ExternalRef")
    if any(c in field_name for c in "{}'\\"):
        raise ConfigError(
            f"RT_EXTERNAL_REF_FIELD must be a plain custom field name (got {field_name!r})"
        )
    return RtSettings(
        api_url=url,
        token=token,
        queue=read.text("RT_QUEUE", "General"),
        external_ref_field=field_name,
        timeout_seconds=read.number("HELPDESK_TIMEOUT_SECONDS", 5.0, 0.1, 60.0),
    )


def resilience(env: Mapping[str, str]) -> Resilience:
    """Retries and the circuit breaker, one per gateway (its circuit is its helpdesk's)."""
    read = EnvReader(env)
    return Resilience(
        RetryPolicy(
            budget_seconds=read.number("HELPDESK_RETRY_BUDGET_SECONDS", 8.0, 0.0, 18.0),
            attempt_timeout_seconds=read.number("HELPDESK_TIMEOUT_SECONDS", 5.0, 0.1, 60.0),
        )
    )


def check_helpdesk_settings(backend: str, env: Mapping[str, str]) -> None:
    """Validate the chosen backend's variables at start-up."""
    if backend == "zendesk":
        zendesk_settings(env)
    elif backend == "rt":
        rt_settings(env)
    if backend != "mock":
        resilience(env)


def open_zendesk(clients: OpenedClients, env: Mapping[str, str], clock: Clock) -> ZendeskHelpdesk:
    settings = zendesk_settings(env)
    client = clients.track(build_zendesk_client(settings))
    return ZendeskHelpdesk(client, settings, resilience(env), clock)


def open_rt(clients: OpenedClients, env: Mapping[str, str], clock: Clock) -> RtHelpdesk:
    settings = rt_settings(env)
    client = clients.track(build_rt_client(settings))
    return RtHelpdesk(client, settings, resilience(env), clock)
