"""The in-process helpdesk family (HELPDESK_BACKEND=mock)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.helpdesk.mock import MockHelpdesk
from application.ports import Clock
from entrypoints.config.settings import Settings


def _milliseconds(value: int) -> float:
    return value / 1000.0


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
