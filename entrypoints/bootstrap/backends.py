"""The backend families, one sub-container each: a store family (memory, redis) gives the four
stores, the helpdesk budget, the outbox and their health probes; a helpdesk family (mock,
zendesk, rt) gives the gateway and what SIGHUP renews in it.

Only the configured family of each kind is imported and built, when the container first asks
for it: a service on the mock helpdesk and in-memory stores never imports redis-py or the
Zendesk and RT adapters (``helpdesk-bridge mcp`` starts on every spawn of Claude Desktop). A
family's network client is a ``providers.Resource`` beside the providers that use it, guarded
until ``open_container`` opens it (entrypoints/bootstrap/container.py), closed by
``close_container``.
"""

from __future__ import annotations

from typing import NoReturn, TypeVar

from dependency_injector import containers, providers

from application.ports import Clock, HelpdeskBudget, RequesterCache
from entrypoints.config.settings import Settings

F = TypeVar("F", bound=containers.Container)


def not_open() -> NoReturn:
    raise RuntimeError(
        "the container's network clients are not open: build it with "
        "`await open_container(settings)` (build_container opens nothing)"
    )


def _guarded(family: F) -> F:
    """``family`` with its clients refusing to be used until ``open_container`` opens them."""
    for resource in family.traverse(types=[providers.Resource]):
        resource.override(providers.Callable(not_open))
    return family


def store_family(settings: Settings, clock: Clock) -> containers.Container:
    """The configured store family (STORE_BACKEND), imported now."""
    if settings.store_backend == "redis":
        from entrypoints.bootstrap.redis_stores import RedisStores

        return _guarded(RedisStores(settings=settings, clock=clock))
    from entrypoints.bootstrap.memory_stores import MemoryStores

    return _guarded(MemoryStores(settings=settings, clock=clock))


def helpdesk_family(
    settings: Settings,
    clock: Clock,
    budget: providers.Provider[HelpdeskBudget],
    requester_cache: providers.Provider[RequesterCache],
) -> containers.Container:
    """The configured helpdesk family (HELPDESK_BACKEND), imported now. ``budget`` (the fleet's
    pace and Retry-After) and ``requester_cache`` (the callers' users) live with the stores
    and are resolved only when the gateway is built: the stores' client may not be open yet."""
    if settings.helpdesk_backend == "mock":
        from entrypoints.bootstrap.mock_helpdesk import MockHelpdeskBackend

        return _guarded(MockHelpdeskBackend(settings=settings, clock=clock))
    from entrypoints.bootstrap.helpdesk_wiring import RT, ZENDESK
    from entrypoints.bootstrap.http_helpdesk import RealHelpdeskBackend

    kind = ZENDESK if settings.helpdesk_backend == "zendesk" else RT
    return _guarded(
        RealHelpdeskBackend(
            settings=settings,
            clock=clock,
            kind=kind,
            budget=budget,
            requester_cache=requester_cache,
        )
    )
