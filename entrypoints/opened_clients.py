"""The network clients (Redis pool, helpdesk HTTP clients) a container opened, to close them.

Clients are created lazily by the container (only for the configured backends), so the app's
lifespan cannot simply close "every client": it closes those registered here, and only those.
"""

from __future__ import annotations

from typing import Protocol, TypeVar


class Closable(Protocol):
    async def aclose(self) -> None: ...


C = TypeVar("C", bound=Closable)


class OpenedClients:
    """Register each client as it is opened; ``aclose`` closes them all, once."""

    def __init__(self) -> None:
        self._opened: list[Closable] = []

    @property
    def opened(self) -> tuple[Closable, ...]:
        return tuple(self._opened)

    def track(self, client: C) -> C:
        self._opened.append(client)
        return client

    async def aclose(self) -> None:
        opened, self._opened = self._opened, []
        for client in opened:
            await client.aclose()
