"""The in-process store family (STORE_BACKEND=memory): the stores in this process's memory and
the outbox in a SQLite file."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.outbox.sqlite import SqliteOutbox
from adapters.stores import memory
from adapters.stores.memory_budget import MemoryHelpdeskBudget
from adapters.stores.requesters import MemoryRequesterCache
from application.ports import Clock
from entrypoints.bootstrap.shared import pace_per_minute
from entrypoints.config.settings import Settings


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
    requester_cache = providers.Singleton(MemoryRequesterCache, clock)
    health_probes = providers.Dict()
