"""What the HTTP helpdesk backends (Zendesk, RT) share: their collaborators, one way to make a
call whose answer is a JSON object, the health probe, and the known health ``/readyz`` reads."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Container
from typing import Generic, TypeVar

import httpx

from adapters.clock import SystemClock
from adapters.helpdesk.known_health import Verdict
from adapters.helpdesk.resilience.attempt import Send
from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.wire import Answer, unexpected_status
from application.ports import Clock
from application.timing.deadline import Deadline

SettingsT = TypeVar("SettingsT")


class HttpHelpdesk(ABC, Generic[SettingsT]):
    """The base of an HTTP ``HelpdeskGateway``: it receives its client (the container owns and
    closes it), its settings, the ``Resilience`` that owns its circuit, and a clock for the
    tickets whose answer carries no creation time."""

    health_path: str
    """An authenticated GET that proves the helpdesk answers us."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: SettingsT,
        resilience: Resilience,
        clock: Clock | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._resilience = resilience
        self._clock = clock or SystemClock()

    async def check_health(self) -> bool:
        """True when the helpdesk answers an authenticated call right now; one quick attempt.

        The helpdesk's failures read as False; a bug of ours raises, so it is seen as one.
        """
        return await self._resilience.probe(
            "check_health", lambda: self._client.get(self.health_path), self._healthy
        )

    def known_health(self) -> Verdict | None:
        """What the calls already made say, without calling (``adapters.helpdesk.known_health``)."""
        return self._resilience.known_health()

    @abstractmethod
    def _healthy(self, response: httpx.Response) -> bool:
        """Does the probe's 200 answer prove the credentials work?"""

    async def _answer(
        self,
        operation: str,
        send: Send,
        deadline: Deadline | None,
        *,
        replay_safe: bool,
        read_only: bool = False,
        ok: Container[int] = (200,),
    ) -> Answer:
        """Send under the resilience rules; a status outside ``ok`` maps to a port error."""
        return await answer(
            self._resilience,
            operation,
            send,
            deadline,
            replay_safe=replay_safe,
            read_only=read_only,
            ok=ok,
        )


async def answer(
    resilience: Resilience,
    operation: str,
    send: Send,
    deadline: Deadline | None,
    *,
    replay_safe: bool,
    read_only: bool = False,
    ok: Container[int] = (200,),
) -> Answer:
    """One call whose answer is a JSON object, for the modules a backend is split into: sent
    under ``resilience``'s rules; a status outside ``ok`` maps to a port error."""
    response = await resilience.send(
        operation, send, replay_safe=replay_safe, deadline=deadline, read_only=read_only
    )
    if response.status_code not in ok:
        raise unexpected_status(operation, response)
    return Answer.read(response, operation)


async def found(
    resilience: Resilience, operation: str, send: Send, deadline: Deadline | None
) -> Answer | None:
    """A read of one record (retried like any read): None when the helpdesk has no such record
    (404), else its JSON answer as ``answer`` gives it."""
    response = await resilience.send(
        operation, send, replay_safe=True, deadline=deadline, read_only=True
    )
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise unexpected_status(operation, response)
    return Answer.read(response, operation)
