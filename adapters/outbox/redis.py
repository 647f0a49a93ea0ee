"""``Outbox`` in Redis, shared by every instance of the bridge (``STORE_BACKEND=redis``).

Items are hashes; sorted sets index them by state, by due time and by lease expiry, and one
string per dedup key points at the QUEUED item holding it (the layout and the scripts are in
``redis_scripts``). Each step that touches several keys is one Lua script, so it is atomic
across the fleet: two workers never lease one item, and a SIGKILLed worker's leases expire
into the ready set for another to take. All times are the callers' ``now`` (not the server's
clock), as for the other adapters.

How durable this is depends on the server's persistence (see ``redis_persistence`` and
docs/deployment.md); Redis failures raise ``StoreUnavailable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import msgspec
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from adapters.outbox import redis_scripts as lua
from adapters.stores.redis.base import DEFAULT_NAMESPACE, RedisStore, translate_errors
from application.errors import StoreUnavailable
from application.ports import (
    DuplicateReference,
    OutboxState,
    OutboxStats,
    PendingNote,
    QueuedHandoff,
)

_KEPT, _DEDUPLICATED = 0, 1
_STATES = tuple(state.value for state in OutboxState)


class RedisOutbox(RedisStore):
    """Queued hand-offs in Redis under ``{namespace}outbox:``; needs ``decode_responses=False``
    (``problem`` is raw bytes)."""

    def __init__(self, redis: Redis, namespace: str = DEFAULT_NAMESPACE) -> None:
        super().__init__(redis, namespace, "outbox")
        self._put = redis.register_script(lua.PUT)
        self._lease = redis.register_script(lua.LEASE)
        self._delivered = redis.register_script(lua.DELIVERED)
        self._postpone = redis.register_script(lua.POSTPONE)
        self._kill = redis.register_script(lua.KILL)
        self._retry = redis.register_script(lua.RETRY)
        self._drop = redis.register_script(lua.DROP)
        self._items = redis.register_script(lua.ITEMS)
        self._attach_note = redis.register_script(lua.ATTACH_NOTE)
        self._ticket_filed = redis.register_script(lua.TICKET_FILED)

    async def put(self, item: QueuedHandoff) -> QueuedHandoff:
        fields = _fields(item)
        keys = [self._key(f"item:{item.reference}")]
        keys += [self._key(f"key:{key}") for key in item.dedup_keys]
        args: list[bytes | str | float] = [
            self._prefix,
            item.reference,
            item.state.value,
            item.queued_at,
            item.next_attempt_at,
        ]
        for name, value in fields.items():
            args += [name, value]
        with translate_errors("outbox put"):
            reply = await self._put(keys=keys, args=args)
        if int(reply[0]) == _KEPT:
            return item
        if int(reply[0]) == _DEDUPLICATED:
            return _decode(reply[1])
        raise DuplicateReference(item.reference)

    async def get(self, reference: str) -> QueuedHandoff | None:
        with translate_errors("outbox get"):
            raw = cast(
                "dict[bytes, bytes]", await self._redis.hgetall(self._key(f"item:{reference}"))
            )
        return _decode_mapping(raw) if raw else None

    async def lease(
        self, worker: str, now: float, lease_seconds: float, limit: int
    ) -> list[QueuedHandoff]:
        if limit <= 0:
            return []
        with translate_errors("outbox lease"):
            reply = await self._lease(args=[self._prefix, now, now + lease_seconds, limit, worker])
        return [_decode(raw) for raw in reply]

    async def delivered(self, reference: str, ticket_id: str, ticket_url: str, now: float) -> None:
        with translate_errors("outbox delivered"):
            await self._delivered(args=[self._prefix, reference, now, ticket_id, ticket_url])

    async def postpone(self, reference: str, error: str, next_attempt_at: float) -> None:
        with translate_errors("outbox postpone"):
            await self._postpone(args=[self._prefix, reference, error, next_attempt_at])

    async def attach_note(self, dedup_key: str, note: PendingNote) -> QueuedHandoff | None:
        with translate_errors("outbox attach note"):
            reply = await self._attach_note(args=[self._prefix, dedup_key, note.key, note.body])
        return _decode(reply) if reply else None

    async def ticket_filed(
        self, reference: str, ticket_id: str, ticket_url: str
    ) -> list[PendingNote]:
        with translate_errors("outbox ticket filed"):
            reply = await self._ticket_filed(args=[self._prefix, reference, ticket_id, ticket_url])
        return [
            PendingNote(key.decode(), bytes(body))
            for key, body in zip(reply[::2], reply[1::2], strict=True)
        ]

    async def kill(self, reference: str, error: str, now: float) -> None:
        """``now`` is not kept: ``QueuedHandoff`` has no field for when an item died."""
        with translate_errors("outbox kill"):
            await self._kill(args=[self._prefix, reference, error])

    async def retry(self, reference: str, now: float) -> bool:
        with translate_errors("outbox retry"):
            return bool(await self._retry(args=[self._prefix, reference, now]))

    async def drop(self, reference: str) -> bool:
        with translate_errors("outbox drop"):
            return bool(await self._drop(args=[self._prefix, reference]))

    async def items(self, state: OutboxState | None, limit: int) -> list[QueuedHandoff]:
        if limit <= 0:
            return []
        states = _STATES if state is None else (state.value,)
        with translate_errors("outbox items"):
            reply = await self._items(args=[self._prefix, limit, *states])
        found = sorted((_decode(raw) for raw in reply), key=lambda i: (i.queued_at, i.reference))
        return found[:limit]

    async def stats(self, now: float) -> OutboxStats:
        with translate_errors("outbox stats"):
            async with self._redis.pipeline(transaction=True) as pipe:
                for state in _STATES:
                    pipe.zcard(self._key(state))
                pipe.zrange(self._key(OutboxState.QUEUED.value), 0, 0, withscores=True)
                *counts, oldest = await pipe.execute()
        by_state = dict(zip(_STATES, (int(count) for count in counts), strict=True))
        return OutboxStats(
            queued=by_state[OutboxState.QUEUED.value],
            delivered=by_state[OutboxState.DELIVERED.value],
            dead=by_state[OutboxState.DEAD.value],
            oldest_queued_age_seconds=max(0.0, now - float(oldest[0][1])) if oldest else None,
        )

    async def check_health(self) -> bool:
        """True when a write succeeds right now (a read-only replica or a full ``maxmemory``
        fails it, where a PING would pass); never raises for a Redis failure."""
        try:
            with translate_errors("outbox health check"):
                await self._redis.set(self._key("health"), b"1", px=60_000)
        except StoreUnavailable:
            return False
        return True


async def redis_persistence(redis: Redis) -> str | None:
    """How the server persists its data, in words for a log line (``"aof appendfsync=everysec"``,
    ``"rdb save 3600 1 300 100"``, ...), or None when it keeps nothing across a restart - then a
    queued hand-off is lost with the server and the caller should warn. Reads ``CONFIG GET``;
    where CONFIG is disabled or renamed (managed Redis), falls back to ``INFO persistence``,
    which shows AOF and RDB saves done but not the save policy."""
    try:
        with translate_errors("persistence check"):
            config = await redis.config_get("appendonly")
            config |= await redis.config_get("appendfsync")
            config |= await redis.config_get("save")
    except StoreUnavailable as e:
        if not isinstance(e.__cause__, ResponseError):
            raise
        with translate_errors("persistence check"):
            info = await redis.info("persistence")
        return _persistence_from_info(info)
    return _persistence_from_config({_text(name): _text(value) for name, value in config.items()})


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _persistence_from_config(settings: Mapping[str, str]) -> str | None:
    kinds = []
    if settings.get("appendonly") == "yes":
        kinds.append(f"aof appendfsync={settings.get('appendfsync', 'everysec')}")
    if settings.get("save", "").strip():
        kinds.append(f"rdb save {settings['save'].strip()}")
    return " + ".join(kinds) or None


def _persistence_from_info(info: Mapping[str, object]) -> str | None:
    kinds = []
    if str(info.get("aof_enabled", 0)) == "1":
        kinds.append("aof (appendfsync unknown: CONFIG is disabled)")
    if int(str(info.get("rdb_saves", 0))) > 0 or str(info.get("rdb_bgsave_in_progress")) == "1":
        kinds.append("rdb snapshots (policy unknown: CONFIG is disabled)")
    return " + ".join(kinds) or None


def _fields(item: QueuedHandoff) -> dict[str, bytes | str | float]:
    """The item's hash fields; absent optional fields are left out rather than stored empty."""
    fields: dict[str, bytes | str | float | None] = {
        "reference": item.reference,
        "problem": item.problem,
        "dedup_keys": msgspec.json.encode(list(item.dedup_keys)),
        "queued_at": item.queued_at,
        "state": item.state.value,
        "attempts": item.attempts,
        "last_error": item.last_error,
        "next_attempt_at": item.next_attempt_at,
        "delivered_at": item.delivered_at,
        "ticket_id": item.ticket_id,
        "ticket_url": item.ticket_url,
    }
    return {name: value for name, value in fields.items() if value is not None}


def _decode(flat: Sequence[bytes]) -> QueuedHandoff:
    """An item from a script's ``HGETALL`` reply (field, value, field, value, ...)."""
    return _decode_mapping(dict(zip(flat[::2], flat[1::2], strict=True)))


def _decode_mapping(raw: Mapping[bytes, bytes]) -> QueuedHandoff:
    def text(name: bytes) -> str | None:
        value = raw.get(name)
        return None if value is None else value.decode()

    try:
        delivered_at = raw.get(b"delivered_at")
        return QueuedHandoff(
            reference=raw[b"reference"].decode(),
            problem=raw[b"problem"],
            dedup_keys=tuple(msgspec.json.decode(raw[b"dedup_keys"], type=list[str])),
            queued_at=float(raw[b"queued_at"]),
            state=OutboxState(raw[b"state"].decode()),
            attempts=int(raw[b"attempts"]),
            last_error=text(b"last_error"),
            next_attempt_at=float(raw[b"next_attempt_at"]),
            delivered_at=None if delivered_at is None else float(delivered_at),
            ticket_id=text(b"ticket_id"),
            ticket_url=text(b"ticket_url"),
        )
    except (KeyError, ValueError, msgspec.DecodeError) as e:  # not written by this version
        raise StoreUnavailable("Shared store (Redis) holds an unreadable outbox item") from e
