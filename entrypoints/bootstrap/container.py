"""The dependency-injector container: the one place that decides which adapter serves which port.

The configured family of each kind - STORE_BACKEND's stores, HELPDESK_BACKEND's helpdesk - is
imported and built on first use (entrypoints/bootstrap/backends.py); the ports below are read
from it.

Lifecycle: ``open_container(settings)`` builds the container and opens its families' network
clients (``providers.Resource``: the Redis pool, a real helpdesk's HTTP client), inside the
running event loop; ``close_container`` shuts them down. ``build_container`` alone opens
nothing: enough for the mock helpdesk with in-memory stores (which have no client) and for
tests that override providers; resolving a port whose client is not open raises at once.

Why the async-mode switch: an async ``Resource`` makes every provider that depends on it return
awaitables, while the app and the MCP server resolve their collaborators synchronously at
start-up. So the resources are initialised first, then switched to sync mode (they hand out the
opened client itself), and switched back before ``shutdown_resources`` so it awaits their close.
"""

from __future__ import annotations

from collections.abc import Mapping

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from application.filing.ticket_filing import DownPolicy, TicketFiling
from application.ports import HealthProbe, Outbox
from application.speech.handoff import SayTemplates
from application.use_cases.append_note import AppendNote
from application.use_cases.create_ticket import CreateTicket
from application.use_cases.deliver_handoff import DeliverHandoff
from application.use_cases.find_or_create_ticket import FindOrCreateTicket
from application.use_cases.handoff_status import HandoffStatus
from application.use_cases.idempotency import IdempotentRunner
from application.use_cases.oa_handoff import OaHandoff
from application.use_cases.record_call import RecordCall
from application.use_cases.render_note import RenderNote
from application.use_cases.ticket_status import TicketStatusLookup
from domain.dedup import DedupPolicy
from entrypoints.bootstrap.backends import helpdesk_family, store_family
from entrypoints.config.settings import Settings


def _named_probes(
    helpdesk: HealthProbe,
    stores: Mapping[str, HealthProbe],
    outbox: HealthProbe,
    settings: Settings,
) -> dict[str, HealthProbe]:
    """The helpdesk, the stores, and the outbox only where hand-offs are queued into it."""
    probes = {"helpdesk": helpdesk, **stores}
    if settings.helpdesk.down_policy == "queue":
        probes["outbox"] = outbox
    return probes


def _queueing_outbox(outbox: Outbox, settings: Settings) -> Outbox | None:
    """The outbox where hand-offs are queued into it (else none is ever queued there)."""
    return outbox if settings.helpdesk.down_policy == "queue" else None


class Container(containers.DeclarativeContainer):
    """Ports -> adapters (from the picked families), use cases -> their ports."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)

    # One family of each kind, the configured one (entrypoints/bootstrap/backends.py); the
    # ports below are read from it.
    stores = providers.Singleton(store_family, settings, clock)
    # The fleet's helpdesk budget (Retry-After, pace) lives with the stores: shared in Redis.
    helpdesk_budget = stores.provided.helpdesk_budget.call()
    outbox = stores.provided.outbox.call()
    requester_cache = stores.provided.requester_cache.call()
    helpdesk_backend = providers.Singleton(
        helpdesk_family, settings, clock, helpdesk_budget.provider, requester_cache.provider
    )
    helpdesk = helpdesk_backend.provided.gateway.call()
    # What SIGHUP renews in the helpdesk (entrypoints/config/reload.py): its OAuth client, if any.
    helpdesk_reloadables = helpdesk_backend.provided.reloadables.call()
    ticket_index = stores.provided.ticket_index.call()
    idempotency_store = stores.provided.idempotency_store.call()
    replay_guard = stores.provided.replay_guard.call()
    rate_limiter = stores.provided.rate_limiter.call()
    # What /readyz reports on, by name: the helpdesk (its gateway probes it) and the stores'
    # own probes (none for in-memory stores; one PING for Redis).
    health_probes = providers.Callable(
        _named_probes, helpdesk, stores.provided.health_probes.call(), outbox, settings
    )

    dedup_policy = providers.Singleton(
        DedupPolicy, window_seconds=settings.provided.dedup_ttl_seconds
    )
    idempotent_runner = providers.Singleton(
        IdempotentRunner,
        store=idempotency_store,
        clock=clock,
        ttl_seconds=settings.provided.idempotency_ttl_seconds,
    )

    ticket_filing = providers.Singleton(
        TicketFiling,
        helpdesk=helpdesk,
        index=ticket_index,
        clock=clock,
        policy=dedup_policy,
        outbox=outbox,
        budget=helpdesk_budget,
        down_policy=providers.Callable(DownPolicy, settings.provided.helpdesk.down_policy),
        public_base_url=settings.provided.base_url,
    )
    deliver_handoff = providers.Singleton(
        DeliverHandoff,
        filing=ticket_filing,
        outbox=outbox,
        clock=clock,
        max_age_seconds=settings.provided.outbox.max_age_seconds,
        budget=helpdesk_budget,
    )
    handoff_status = providers.Factory(HandoffStatus, outbox=outbox)
    record_call = providers.Singleton(
        RecordCall,
        helpdesk=helpdesk,
        index=ticket_index,
        events=idempotency_store,
        clock=clock,
        policy=dedup_policy,
        outbox=providers.Callable(_queueing_outbox, outbox, settings),
    )
    phone_region = settings.provided.phone_region
    ticket_status = providers.Factory(
        TicketStatusLookup,
        helpdesk=helpdesk,
        outbox=outbox,
        clock=clock,
        public_base_url=settings.provided.base_url,
        phone_region=phone_region,
    )
    find_or_create_ticket = providers.Factory(
        FindOrCreateTicket, filing=ticket_filing, phone_region=phone_region
    )
    oa_handoff = providers.Factory(OaHandoff, filing=ticket_filing, phone_region=phone_region)
    create_ticket = providers.Factory(CreateTicket, helpdesk=helpdesk, phone_region=phone_region)
    append_note = providers.Factory(AppendNote, helpdesk=helpdesk)
    render_note = providers.Factory(RenderNote)
    # The ``say`` sentences of both transports' filing answers, from the operator's templates.
    say_templates = providers.Singleton(
        SayTemplates,
        filed=settings.provided.say_filed_template,
        queued=settings.provided.say_queued_template,
    )


def build_container(settings: Settings) -> Container:
    """A container configured from ``settings``, nothing opened yet."""
    return Container(settings=settings)


def families(container: Container) -> tuple[containers.Container, ...]:
    """The container's two families (the stores', the helpdesk's), built if they were not."""
    return (container.stores(), container.helpdesk_backend())


async def open_container(settings: Settings) -> Container:
    """A container with the configured backends' clients open (only theirs: a memory-store
    service never connects to Redis, the mock helpdesk opens no HTTP client). Call it inside the
    event loop that will use the clients: the app's lifespan start-up, the stdio server's loop."""
    container = build_container(settings)
    for family in families(container):
        # A family's own clients only: its dependencies (the helpdesk's budget lives with the
        # stores) are another family's.
        own = [p for p in family.providers.values() if isinstance(p, providers.Resource)]
        for resource in own:
            resource.reset_override()
            pending = resource.init()
            if pending is not None:
                await pending
            resource.disable_async_mode()  # opened: dependents get the client, not an awaitable
    return container


async def close_container(container: Container) -> None:
    """Close what ``open_container`` opened (pools, HTTP clients); harmless when nothing was."""
    for family in families(container):
        for resource in family.traverse(types=[providers.Resource]):
            if resource.initialized:
                resource.enable_async_mode()  # its shutdown is async: have it awaited
        pending = family.shutdown_resources()
        if pending is not None:
            await pending
    if container.settings().store_backend == "memory":
        await container.outbox().aclose()  # the SQLite file's connection and its thread
