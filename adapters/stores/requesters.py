"""``RequesterCache`` in process memory: the embedded default for one process (a bounded
expiring map), and the fake for tests."""

from __future__ import annotations

from adapters.stores.expiring import ExpiringDict
from application.ports import Clock

DEFAULT_MAX_CALLERS = 200_000


class MemoryRequesterCache:
    """Caller number -> helpdesk user id, each for its TTL, at most ``max_callers``."""

    def __init__(self, clock: Clock, max_callers: int = DEFAULT_MAX_CALLERS) -> None:
        self._users: ExpiringDict[str] = ExpiringDict(clock, max_callers)

    async def get(self, caller_number: str) -> str | None:
        return self._users.get(caller_number)

    async def put(self, caller_number: str, user_id: str, ttl_seconds: float) -> None:
        self._users.set(caller_number, user_id, ttl_seconds)

    async def forget(self, caller_number: str) -> None:
        self._users.pop(caller_number)
