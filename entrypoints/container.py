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
from application.append_note import AppendNote
from application.create_ticket import CreateTicket
from application.find_or_create_ticket import FindOrCreateTicket
from application.idempotency import IdempotentRunner
from application.oa_handoff import OaHandoff
from application.render_note import RenderNote
from domain.dedup import DedupPolicy
from entrypoints.settings import Settings


def _milliseconds(value: int) -> float:
    return value / 1000.0


class Container(containers.DeclarativeContainer):
    """Ports -> adapters, use cases -> their ports."""

    config = providers.Configuration(strict=True)
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)

    helpdesk = providers.Selector(
        config.helpdesk_backend,
        mock=providers.Singleton(
            MockHelpdesk,
            clock=clock,
            base_url=config.mock_helpdesk_url,
            healthy=config.mock_helpdesk_healthy,
            latency_seconds=providers.Callable(_milliseconds, config.mock_helpdesk_latency_ms),
        ),
    )

    ticket_index = providers.Selector(
        config.store_backend, memory=providers.Singleton(MemoryTicketIndex, clock=clock)
    )
    idempotency_store = providers.Selector(
        config.store_backend, memory=providers.Singleton(MemoryIdempotencyStore, clock=clock)
    )
    replay_guard = providers.Selector(
        config.store_backend, memory=providers.Singleton(MemoryReplayGuard, clock=clock)
    )
    rate_limiter = providers.Selector(
        config.store_backend,
        memory=providers.Singleton(
            MemoryRateLimiter, clock=clock, limit=config.rate_limit_per_second
        ),
    )
    # The stores /readyz reports on (empty for in-memory stores: they cannot be down).
    store_health_probes = providers.Selector(config.store_backend, memory=providers.List())

    dedup_policy = providers.Singleton(DedupPolicy, window_seconds=config.dedup_ttl_seconds)
    idempotent_runner = providers.Singleton(
        IdempotentRunner, store=idempotency_store, ttl_seconds=config.idempotency_ttl_seconds
    )

    find_or_create_ticket = providers.Factory(
        FindOrCreateTicket, helpdesk=helpdesk, index=ticket_index, clock=clock, policy=dedup_policy
    )
    oa_handoff = providers.Factory(OaHandoff, find_or_create=find_or_create_ticket)
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
