"""``TicketIndex`` in Redis: dedup key -> ticket or claim marker, one string key per dedup key
(the values and the scripts: ``ticket_index_scripts.py``).

The index is complete since its birth key was set (every claim reads it in the same round trip),
unless Redis may evict keys to free memory (``maxmemory`` with an evicting policy): then it
cannot say, and the filing always asks the helpdesk. Redis's policy is read with ``INFO memory``
at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import msgspec
from redis.asyncio import Redis

from adapters.stores.redis import ticket_index_scripts as lua
from adapters.stores.redis.base import (
    DEFAULT_NAMESPACE,
    REDIS_FAILURES,
    RedisStore,
    to_ms,
    translate_errors,
)
from application.errors import StoreUnavailable
from application.ports import Claim, ClaimState
from domain.ticket import TicketRef

TICKET_TAG = b"t:"
QUEUED_TAG = b"q:"
CLAIM_TAG = b"c:"
UNCERTAIN_TAG = b"u:"
BORN_KEY = "index:born"  # no dedup key looks like it: theirs start with oa: or caller:
POLICY_SECONDS = 60.0
"""How long Redis's memory policy, once read, is taken as known."""
EVICTING = ("allkeys-", "volatile-")

_WON, _FOUND, _BUSY = 0, 1, 2


class RedisTicketIndex(RedisStore):
    """Dedup keys -> ``TicketRef`` (or a claim marker), shared by every instance."""

    def __init__(self, redis: Redis, namespace: str = DEFAULT_NAMESPACE) -> None:
        super().__init__(redis, namespace, "dedup")
        self._claim = redis.register_script(lua.CLAIM)
        self._born_script = redis.register_script(lua.BORN)
        self._fulfil = redis.register_script(lua.FULFIL)
        self._release = redis.register_script(lua.RELEASE)
        self._mark_uncertain = redis.register_script(lua.MARK_UNCERTAIN)
        self._born: float | None = None  # as the last claim read it
        self._may_evict: tuple[bool, float] | None = None  # and when that was read

    async def claim(
        self,
        keys: Sequence[str],
        owner: str,
        lease_seconds: float,
        replacing: str | None = None,
        *,
        remember_seconds: float = 0.0,
    ) -> Claim:
        args: list[bytes | int | str] = [
            _marker(owner),
            to_ms(lease_seconds),
            replacing or "",
            int(remember_seconds * 1000),
        ]
        with translate_errors("ticket index claim"):
            reply = await self._claim(keys=[self._key(BORN_KEY), *self._keys(keys)], args=args)
        self._born = int(reply[2]) / 1000
        state = int(reply[0])
        if state == _FOUND:
            return Claim(ClaimState.FOUND, _decode_ticket(reply[1]))
        if state == _BUSY:
            return Claim(ClaimState.BUSY)
        return Claim(ClaimState.WON, uncertain=int(reply[1]) == 1)

    async def mark_uncertain(
        self,
        keys: Sequence[str],
        owner: str,
        lease_seconds: float,
        *,
        remember_seconds: float = 0.0,
    ) -> None:
        args: list[bytes | int] = [
            _marker(owner),
            UNCERTAIN_TAG + owner.encode(),
            to_ms(lease_seconds + remember_seconds),
        ]
        with translate_errors("ticket index mark uncertain"):
            await self._mark_uncertain(keys=self._keys(keys), args=args)

    async def complete_since(self) -> float | None:
        if await self._may_evict_keys():
            return None
        if self._born is None:
            with translate_errors("ticket index birth"):
                self._born = int(await self._born_script(keys=[self._key(BORN_KEY)])) / 1000
        return self._born

    async def _may_evict_keys(self) -> bool:
        """Whether Redis may drop keys to free memory (read at most once a minute). Unknown
        (INFO refused or failing) counts as yes: the index then never vouches for itself."""
        now = time.monotonic()
        if self._may_evict is not None and now - self._may_evict[1] < POLICY_SECONDS:
            return self._may_evict[0]
        try:
            info = await self._redis.info("memory")
            limited = int(info.get("maxmemory", 0)) > 0
            policy = str(info.get("maxmemory_policy", ""))
            evicts = limited and policy.startswith(EVICTING)
        except REDIS_FAILURES:
            evicts = True
        self._may_evict = (evicts, now)
        return evicts

    async def fulfil(
        self, keys: Sequence[str], owner: str, ticket: TicketRef, ttl_seconds: float
    ) -> None:
        with translate_errors("ticket index fulfil"):
            await self._fulfil(
                keys=self._keys(keys), args=[_encode_ticket(ticket), to_ms(ttl_seconds)]
            )

    async def release(self, keys: Sequence[str], owner: str) -> None:
        with translate_errors("ticket index release"):
            await self._release(keys=self._keys(keys), args=[_marker(owner)])

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return [self._key(key) for key in keys]


def _marker(owner: str) -> bytes:
    return CLAIM_TAG + owner.encode()


def _encode_ticket(ticket: TicketRef) -> bytes:
    if ticket.queued:
        return QUEUED_TAG + ticket.id.encode() + b"|" + msgspec.json.encode(ticket)
    return TICKET_TAG + msgspec.json.encode(ticket)


def _decode_ticket(raw: bytes) -> TicketRef:
    try:
        return msgspec.json.decode(raw, type=TicketRef)
    except msgspec.DecodeError as e:  # written by an incompatible version, or not by us
        raise StoreUnavailable("Shared store (Redis) holds an unreadable ticket entry") from e
