"""``TicketIndex`` in Redis: dedup key -> ticket or claim marker, one string key per dedup key.

A value is ``t:`` + the ``TicketRef`` as msgspec JSON (a ticket), ``q:`` + reference + ``|`` +
the JSON (a queued marker: the reference is readable by the claim script without decoding JSON),
``c:`` + the owner of a claim, or ``u:`` + the owner of an uncertain claim (its create may have
landed; the next claim takes it over). Every operation touching several keys is one Lua script,
so it is atomic across processes, and a claim is one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from redis.asyncio import Redis

from adapters.stores.redis.base import DEFAULT_NAMESPACE, RedisStore, to_ms, translate_errors
from application.errors import StoreUnavailable
from application.ports import Claim, ClaimState
from domain.ticket import TicketRef

TICKET_TAG = b"t:"
QUEUED_TAG = b"q:"
CLAIM_TAG = b"c:"
UNCERTAIN_TAG = b"u:"

# KEYS: dedup keys, strongest first. ARGV[1]: this owner's claim marker, ARGV[2]: lease in ms,
# ARGV[3]: the reference of a queued marker that counts as free ('' for none).
# Returns {0, uncertain} WON, {1, ticket json} FOUND, {2} BUSY. On FOUND the keys that hold
# nothing get the same value with the same remaining TTL (SET NX PX), so they expire together.
CLAIM = """
local busy = false
local uncertain = 0
for _, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value then
    local tag = string.sub(value, 1, 2)
    local json = nil
    if tag == 't:' then
      json = string.sub(value, 3)
    elseif tag == 'q:' then
      local bar = string.find(value, '|', 3, true)
      if string.sub(value, 3, bar - 1) ~= ARGV[3] then
        json = string.sub(value, bar + 1)
      end
    elseif tag == 'u:' then
      uncertain = 1
    elseif value ~= ARGV[1] then
      busy = true
    end
    if json then
      local ttl = redis.call('PTTL', key)
      if ttl > 0 then
        for _, other in ipairs(KEYS) do
          redis.call('SET', other, value, 'NX', 'PX', ttl)
        end
      end
      return {1, json}
    end
  end
end
if busy then
  return {2}
end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return {0, uncertain}
"""

# KEYS: dedup keys. ARGV[1]: the ticket value, ARGV[2]: TTL in ms. Sets every key.
FULFIL = """
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return #KEYS
"""

# KEYS: dedup keys. ARGV[1]: this owner's claim marker. Deletes only this owner's claims.
RELEASE = """
local dropped = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    dropped = dropped + 1
  end
end
return dropped
"""

# KEYS: dedup keys. ARGV[1]: this owner's claim marker, ARGV[2]: its uncertain marker,
# ARGV[3]: lease in ms. The keys holding the owner's claim, or nothing, get the uncertain one.
MARK_UNCERTAIN = """
local marked = 0
for _, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value or value == ARGV[1] then
    redis.call('SET', key, ARGV[2], 'PX', ARGV[3])
    marked = marked + 1
  end
end
return marked
"""

_WON, _FOUND, _BUSY = 0, 1, 2


class RedisTicketIndex(RedisStore):
    """Dedup keys -> ``TicketRef`` (or a claim marker), shared by every instance."""

    def __init__(self, redis: Redis, namespace: str = DEFAULT_NAMESPACE) -> None:
        super().__init__(redis, namespace, "dedup")
        self._claim = redis.register_script(CLAIM)
        self._fulfil = redis.register_script(FULFIL)
        self._release = redis.register_script(RELEASE)
        self._mark_uncertain = redis.register_script(MARK_UNCERTAIN)

    async def claim(
        self, keys: Sequence[str], owner: str, lease_seconds: float, replacing: str | None = None
    ) -> Claim:
        args: list[bytes | int | str] = [_marker(owner), to_ms(lease_seconds), replacing or ""]
        with translate_errors("ticket index claim"):
            reply = await self._claim(keys=self._keys(keys), args=args)
        state = int(reply[0])
        if state == _FOUND:
            return Claim(ClaimState.FOUND, _decode_ticket(reply[1]))
        if state == _BUSY:
            return Claim(ClaimState.BUSY)
        return Claim(ClaimState.WON, uncertain=int(reply[1]) == 1)

    async def mark_uncertain(self, keys: Sequence[str], owner: str, lease_seconds: float) -> None:
        args: list[bytes | int] = [
            _marker(owner),
            UNCERTAIN_TAG + owner.encode(),
            to_ms(lease_seconds),
        ]
        with translate_errors("ticket index mark uncertain"):
            await self._mark_uncertain(keys=self._keys(keys), args=args)

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
