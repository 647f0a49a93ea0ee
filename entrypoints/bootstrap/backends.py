"""The backend families, one sub-container each: a store family (memory, redis) gives the four
stores and their health probes; a helpdesk backend (mock, zendesk, rt) gives the gateway.

A family's network client is a ``providers.Resource`` beside the providers that use it, so it is
created only when its family is the configured one and the container is opened
(``open_container``), and closed by ``close_container``. The main container selects one family
of each kind, once (entrypoints/bootstrap/container.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, TypeVar

from dependency_injector import containers, providers

from adapters.helpdesk.mock import MockHelpdesk
from adapters.outbox import RedisOutbox, SqliteOutbox
from adapters.stores import memory
from adapters.stores import redis as shared
from adapters.stores.memory_budget import MemoryHelpdeskBudget
from adapters.stores.redis.budget import RedisHelpdeskBudget
from application.ports import Clock, HelpdeskBudget
from entrypoints.bootstrap.helpdesk_wiring import (
    HelpdeskKind,
    helpdesk_client,
    helpdesk_gateway,
    helpdesk_reloadables,
    pace_per_minute,
)
from entrypoints.bootstrap.redis_client import redis_client
from entrypoints.config.settings import Settings


class Closable(Protocol):
    async def aclose(self) -> None: ...


C = TypeVar("C", bound=Closable)


async def closing(client: C) -> AsyncIterator[C]:
    """A network client as a resource: handed out while its container is open, closed after."""
    try:
        yield client
    finally:
        await client.aclose()


def _milliseconds(value: int) -> float:
    return value / 1000.0


def sqlite_outbox(settings: Settings) -> SqliteOutbox:
    """The embedded outbox: ``OUTBOX_PATH``, else the user's state directory. The file opens on
    first use, so a service that never queues never touches it."""
    return SqliteOutbox(settings.outbox.file())


class MemoryStores(containers.DeclarativeContainer):
    """In-process stores (nothing to open, nothing that can be down, so no probe of their own),
    and the outbox in a SQLite file (the container probes it where hand-offs are queued)."""

    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()

    ticket_index = providers.Singleton(memory.MemoryTicketIndex, clock=clock)
    idempotency_store = providers.Singleton(memory.MemoryIdempotencyStore, clock=clock)
    replay_guard = providers.Singleton(memory.MemoryReplayGuard, clock=clock)
    rate_limiter = providers.Singleton(
        memory.MemoryRateLimiter, clock=clock, limit=settings.provided.rate_limit_per_second
    )
    helpdesk_budget = providers.Singleton(
        MemoryHelpdeskBudget, clock, per_minute=providers.Callable(pace_per_minute, settings)
    )
    outbox = providers.Singleton(sqlite_outbox, settings)
    health_probes = providers.Dict()


class RedisStores(containers.DeclarativeContainer):
    """The four stores on one Redis client (one pool per process), sharing the key prefix;
    one PING probe for all of them, as they share the client."""

    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()
    prefix = settings.provided.redis.key_prefix

    client = providers.Resource(closing, providers.Callable(redis_client, settings.provided.redis))
    ticket_index = providers.Singleton(shared.RedisTicketIndex, client, namespace=prefix)
    idempotency_store = providers.Singleton(shared.RedisIdempotencyStore, client, namespace=prefix)
    replay_guard = providers.Singleton(shared.RedisReplayGuard, client, namespace=prefix)
    rate_limiter = providers.Singleton(
        shared.RedisRateLimiter,
        client,
        limit=settings.provided.rate_limit_per_second,
        namespace=prefix,
    )
    helpdesk_budget = providers.Singleton(
        RedisHelpdeskBudget,
        client,
        namespace=prefix,
        per_minute=providers.Callable(pace_per_minute, settings),
    )
    outbox = providers.Singleton(RedisOutbox, client, namespace=prefix)
    health_probes = providers.Dict(store=ticket_index)


class MockHelpdeskBackend(containers.DeclarativeContainer):
    """The in-process helpdesk: no client to open."""

    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()
    mock = settings.provided.mock_helpdesk

    gateway = providers.Singleton(
        MockHelpdesk,
        clock=clock,
        base_url=mock.url,
        healthy=mock.healthy,
        latency_seconds=providers.Callable(_milliseconds, mock.latency_ms),
    )
    reloadables = providers.Object(())


class RealHelpdeskBackend(containers.DeclarativeContainer):
    """A helpdesk over HTTP (``kind``: zendesk or rt): its client resource and its gateway."""

    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()
    kind = providers.Dependency(instance_of=HelpdeskKind)
    budget: providers.Dependency[HelpdeskBudget] = providers.Dependency()

    client = providers.Resource(closing, providers.Callable(helpdesk_client, kind, settings))
    gateway = providers.Singleton(helpdesk_gateway, kind, client, settings, clock, budget)
    reloadables = providers.Callable(helpdesk_reloadables, client)
