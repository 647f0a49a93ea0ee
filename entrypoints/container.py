"""The dependency-injector container: the one place that decides which adapter serves which port.

Built by ``build_container(settings)`` inside the app/MCP factories, never at import time.
Backends are chosen by ``Selector``s on HELPDESK_BACKEND and STORE_BACKEND.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.stores.memory import (
    MemoryIdempotencyStore,
    MemoryRateLimiter,
    MemoryReplayGuard,
    MemoryTicketIndex,
)
from adapters.stores.redis import (
    RedisIdempotencyStore,
    RedisRateLimiter,
    RedisReplayGuard,
    RedisTicketIndex,
)
from application.append_note import AppendNote
from application.create_ticket import CreateTicket
from application.find_or_create_ticket import FindOrCreateTicket
from application.idempotency import IdempotentRunner
from application.oa_handoff import OaHandoff
from application.ports import HealthProbe
from application.render_note import RenderNote
from application.ticket_filing import TicketFiling
from domain.dedup import DedupPolicy
from entrypoints.helpdesk_wiring import open_rt, open_zendesk
from entrypoints.opened_clients import OpenedClients
from entrypoints.redis_client import open_redis
from entrypoints.settings import Settings


def _milliseconds(value: int) -> float:
    return value / 1000.0


def _named_probe(name: str, probe: HealthProbe) -> tuple[str, HealthProbe]:
    return (name, probe)


class Container(containers.DeclarativeContainer):
    """Ports -> adapters, use cases -> their ports."""

    config = providers.Configuration(strict=True)
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    # Every network client the container opens (Redis pool, helpdesk HTTP client), to close.
    opened_clients = providers.Singleton(OpenedClients)

    helpdesk = providers.Selector(
        config.helpdesk_backend,
        mock=providers.Singleton(
            MockHelpdesk,
            clock=clock,
            base_url=config.mock_helpdesk_url,
            healthy=config.mock_helpdesk_healthy,
            latency_seconds=providers.Callable(_milliseconds, config.mock_helpdesk_latency_ms),
        ),
        zendesk=providers.Singleton(
            open_zendesk, clients=opened_clients, env=config.env, clock=clock
        ),
        rt=providers.Singleton(open_rt, clients=opened_clients, env=config.env, clock=clock),
    )

    # STORE_BACKEND=redis: one client (connection pool) per process, created on first use of a
    # Redis store, closed by close_container; the stores all share it and the key prefix.
    redis_client = providers.Singleton(
        open_redis,
        clients=opened_clients,
        url=config.redis_url,
        socket_timeout=config.redis_socket_timeout_seconds,
        connect_timeout=config.redis_connect_timeout_seconds,
        max_connections=config.redis_max_connections,
        health_check_interval=config.redis_health_check_interval_seconds,
    )
    redis_ticket_index = providers.Singleton(
        RedisTicketIndex, redis_client, namespace=config.redis_key_prefix
    )

    ticket_index = providers.Selector(
        config.store_backend,
        memory=providers.Singleton(MemoryTicketIndex, clock=clock),
        redis=redis_ticket_index,
    )
    idempotency_store = providers.Selector(
        config.store_backend,
        memory=providers.Singleton(MemoryIdempotencyStore, clock=clock),
        redis=providers.Singleton(
            RedisIdempotencyStore, redis_client, namespace=config.redis_key_prefix
        ),
    )
    replay_guard = providers.Selector(
        config.store_backend,
        memory=providers.Singleton(MemoryReplayGuard, clock=clock),
        redis=providers.Singleton(
            RedisReplayGuard, redis_client, namespace=config.redis_key_prefix
        ),
    )
    rate_limiter = providers.Selector(
        config.store_backend,
        memory=providers.Singleton(
            MemoryRateLimiter, clock=clock, limit=config.rate_limit_per_second
        ),
        redis=providers.Singleton(
            RedisRateLimiter,
            redis_client,
            limit=config.rate_limit_per_second,
            namespace=config.redis_key_prefix,
        ),
    )
    # The stores /readyz reports on, as (name, probe) pairs: none for in-memory stores (they
    # cannot be down); for Redis one PING, as every store shares the one client.
    store_health_probes = providers.Selector(
        config.store_backend,
        memory=providers.List(),
        redis=providers.List(providers.Callable(_named_probe, "store", redis_ticket_index)),
    )

    dedup_policy = providers.Singleton(DedupPolicy, window_seconds=config.dedup_ttl_seconds)
    idempotent_runner = providers.Singleton(
        IdempotentRunner,
        store=idempotency_store,
        clock=clock,
        ttl_seconds=config.idempotency_ttl_seconds,
    )

    ticket_filing = providers.Factory(
        TicketFiling, helpdesk=helpdesk, index=ticket_index, clock=clock, policy=dedup_policy
    )
    find_or_create_ticket = providers.Factory(FindOrCreateTicket, filing=ticket_filing)
    oa_handoff = providers.Factory(OaHandoff, filing=ticket_filing)
    create_ticket = providers.Factory(CreateTicket, helpdesk=helpdesk)
    append_note = providers.Factory(AppendNote, helpdesk=helpdesk)
    render_note = providers.Factory(RenderNote)


def build_container(settings: Settings) -> Container:
    """A container configured from ``settings``."""
    container = Container(settings=settings)
    container.config.from_dict(settings.to_config())
    return container


async def close_container(container: Container) -> None:
    """Release what the container opened (clients, pools), at the end of the app's lifespan."""
    pending = container.shutdown_resources()
    if pending is not None:
        await pending
    await container.opened_clients().aclose()  # only what was opened: pools, HTTP clients
