"""What the backend families share: a network client as a resource (handed out while its
container is open, closed after), and the helpdesk's pace as the budget adapters take it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, TypeVar

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


def pace_per_minute(settings: Settings) -> int | None:
    """HELPDESK_RATE_LIMIT_PER_MINUTE as the budget adapters take it (0: no pace)."""
    return settings.helpdesk.rate_limit_per_minute or None
