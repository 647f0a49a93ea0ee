"""The family of a helpdesk over HTTP (HELPDESK_BACKEND=zendesk or rt): its client, opened with
the container, and its gateway."""

from __future__ import annotations

from dependency_injector import containers, providers

from application.ports import Clock, HelpdeskBudget, RequesterCache
from entrypoints.bootstrap.helpdesk_wiring import (
    HelpdeskKind,
    helpdesk_client,
    helpdesk_gateway,
    helpdesk_reloadables,
)
from entrypoints.bootstrap.shared import closing
from entrypoints.config.settings import Settings


class RealHelpdeskBackend(containers.DeclarativeContainer):
    """A helpdesk over HTTP (``kind``: zendesk or rt): its client resource and its gateway."""

    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()
    kind = providers.Dependency(instance_of=HelpdeskKind)
    budget: providers.Dependency[HelpdeskBudget] = providers.Dependency()
    requester_cache: providers.Dependency[RequesterCache] = providers.Dependency()

    client = providers.Resource(closing, providers.Callable(helpdesk_client, kind, settings))
    gateway = providers.Singleton(
        helpdesk_gateway, kind, client, settings, clock, budget, requester_cache
    )
    reloadables = providers.Callable(helpdesk_reloadables, client)
