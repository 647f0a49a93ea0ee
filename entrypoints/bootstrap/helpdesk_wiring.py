"""The real helpdesk gateways (Zendesk, Request Tracker), built from the checked settings.

``load_settings`` has already refused missing URLs and credentials, so what is built here cannot
fail on them. Each backend has one shared ``httpx.AsyncClient``, a ``Resource`` of its backend's
container (entrypoints/bootstrap/http_helpdesk.py): opened with the container, closed when it shuts
down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

from adapters.helpdesk.resilience.calls import Resilience, RetryPolicy
from adapters.helpdesk.rt.gateway import RtHelpdesk, RtSettings, build_rt_client
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, ZendeskSettings, build_zendesk_client
from adapters.helpdesk.zendesk.oauth import ClientCredentials, ClientSecret
from application.ports import Clock, HelpdeskBudget, HelpdeskGateway, RequesterCache
from entrypoints.config.reload import Commit, Reloadable
from entrypoints.config.settings import ConfigError, Settings

S = TypeVar("S")


def zendesk_settings(settings: Settings) -> ZendeskSettings:
    helpdesk, fields = settings.helpdesk, settings.zendesk
    return ZendeskSettings(
        api_url=helpdesk.api_url,
        email=helpdesk.api_email or None,
        api_token=helpdesk.api_key or None,
        oauth_token=helpdesk.oauth_token or None,
        oauth_client=zendesk_oauth_client(settings),
        timeout_seconds=helpdesk.timeout_seconds,
        category_field_id=fields.category_field_id,
        reason_field_id=fields.reason_field_id,
        confidence_field_id=fields.confidence_field_id,
        requester_cache_seconds=helpdesk.requester_cache_seconds,
    )


def zendesk_oauth_client(settings: Settings) -> ClientSecret | None:
    """The OAuth client credentials, when both HELPDESK_OAUTH_CLIENT_ID and _SECRET are set."""
    helpdesk = settings.helpdesk
    if not (helpdesk.oauth_client_id and helpdesk.oauth_client_secret):
        return None
    return ClientSecret(
        helpdesk.oauth_client_id, helpdesk.oauth_client_secret, helpdesk.oauth_scopes
    )


class OAuthClientReload:
    """SIGHUP's part for the Zendesk OAuth client: the live ``ClientCredentials`` takes the new
    id, secret and scopes from its next renewal on (entrypoints/config/reload.py)."""

    variables = frozenset(
        {"HELPDESK_OAUTH_CLIENT_ID", "HELPDESK_OAUTH_CLIENT_SECRET", "HELPDESK_OAUTH_SCOPES"}
    )

    def __init__(self, credentials: ClientCredentials) -> None:
        self._credentials = credentials

    def stage(self, settings: Settings) -> Commit:
        client = zendesk_oauth_client(settings)
        if client is None:
            raise ConfigError(
                "HELPDESK_OAUTH_CLIENT_ID and HELPDESK_OAUTH_CLIENT_SECRET cannot be unset while "
                "the service runs on them: change them, or restart with other credentials"
            )
        return lambda: self._credentials.rotate(client)


def helpdesk_reloadables(client: httpx.AsyncClient) -> tuple[Reloadable, ...]:
    """What SIGHUP renews of a real helpdesk's client: its OAuth client credentials, if it signs
    in with them (static tokens and API keys take a restart)."""
    if isinstance(client.auth, ClientCredentials):
        return (OAuthClientReload(client.auth),)
    return ()


def rt_settings(settings: Settings) -> RtSettings:
    return RtSettings(
        api_url=settings.helpdesk.api_url,
        token=settings.helpdesk.api_key,
        queue=settings.rt.queue,
        external_ref_field=settings.rt.external_ref_field,
        caller_field=settings.rt.caller_field,
        timeout_seconds=settings.helpdesk.timeout_seconds,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        budget_seconds=settings.helpdesk.retry_budget_seconds,
        attempt_timeout_seconds=settings.helpdesk.timeout_seconds,
    )


@dataclass(frozen=True, slots=True)
class HelpdeskKind(Generic[S]):
    """What tells one real helpdesk from another: its adapter settings, client and gateway."""

    settings: Callable[[Settings], S]
    client: Callable[[S], httpx.AsyncClient]
    gateway: Callable[[httpx.AsyncClient, S, Resilience, Clock, RequesterCache], HelpdeskGateway]


def helpdesk_client(kind: HelpdeskKind[S], settings: Settings) -> httpx.AsyncClient:
    """The one shared client of a real helpdesk (its connections open on first use)."""
    return kind.client(kind.settings(settings))


def helpdesk_gateway(
    kind: HelpdeskKind[S],
    client: httpx.AsyncClient,
    settings: Settings,
    clock: Clock,
    budget: HelpdeskBudget,
    requester_cache: RequesterCache,
) -> HelpdeskGateway:
    """The gateway on ``client``, with its own retries and circuit breaker (its helpdesk's), the
    fleet's helpdesk budget (a remembered Retry-After, the optional pace) and the callers'
    users the fleet remembers."""
    resilience = Resilience(retry_policy(settings), budget=budget)
    return kind.gateway(client, kind.settings(settings), resilience, clock, requester_cache)


def _zendesk(
    client: httpx.AsyncClient,
    settings: ZendeskSettings,
    resilience: Resilience,
    clock: Clock,
    requester_cache: RequesterCache,
) -> HelpdeskGateway:
    return ZendeskHelpdesk(client, settings, resilience, clock, requester_cache=requester_cache)


def _rt(
    client: httpx.AsyncClient,
    settings: RtSettings,
    resilience: Resilience,
    clock: Clock,
    _requester_cache: RequesterCache,
) -> HelpdeskGateway:
    return RtHelpdesk(client, settings, resilience, clock)  # RT's callers are a field, not users


ZENDESK = HelpdeskKind(zendesk_settings, build_zendesk_client, _zendesk)
RT = HelpdeskKind(rt_settings, build_rt_client, _rt)
