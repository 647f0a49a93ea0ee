"""The Redis store family (STORE_BACKEND=redis): every store and the outbox on one Redis client,
shared by a fleet."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.outbox.redis import RedisOutbox
from adapters.stores import redis as shared
from adapters.stores.redis.budget import RedisHelpdeskBudget
from application.ports import Clock
from entrypoints.bootstrap.redis_client import redis_client
from entrypoints.bootstrap.shared import closing, pace_per_minute
from entrypoints.config.settings import Settings


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
    requester_cache = providers.Singleton(shared.RedisRequesterCache, client, namespace=prefix)
    health_probes = providers.Dict(store=ticket_index)
