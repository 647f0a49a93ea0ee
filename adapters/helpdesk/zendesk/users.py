"""The caller as a Zendesk end user: one user per phone number, the requester of every ticket
that caller files, so an agent sees one customer with their whole history (and a caller's
tickets are that user's requested tickets).

A caller's user id is remembered in the ``RequesterCache`` (Redis for a fleet: every instance
benefits; a day by default), so a known caller's hand-off costs no user call at all. For a
caller it does not know, filing a ticket costs at most two calls:

1. ``GET /api/v2/users/search?query=role:end-user phone:"+E164"`` - an end user with this number,
   the bridge's own (its ``external_id`` is ``hdb-caller:<E.164>``) first, else the oldest one
   someone else made (an agent, Zendesk Talk), used as it is: the bridge never rewrites a
   record it did not make. The search lags, so a user made moments ago may be missed - and then:
2. ``POST /api/v2/users/create_or_update`` with that ``external_id``, name
   ``Caller +1 415-555-0123`` and the phone in E.164, an end user whose e-mail needs no
   verification. An upsert on the ``external_id``: it answers the bridge's user when one exists
   (other instances included), and re-sending it after a lost answer is harmless. A 422
   (another create of the same ``external_id`` won the race) is resolved by a listing on the
   ``external_id`` (``GET /api/v2/users?external_id=``, current at once).

Reading a caller's tickets never makes a user: the listing on the ``external_id``, then the
search. A remembered user that Zendesk no longer knows (merged, deleted) is forgotten by the
gateway when the create refuses it, and found afresh.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx
import phonenumbers

from adapters.helpdesk.http_gateway import answer
from adapters.helpdesk.resilience.attempt import Send
from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.wire import Answer, unexpected_status
from application.errors import StoreUnavailable
from application.ports import RequesterCache
from application.timing.deadline import Deadline

CALLER_EXTERNAL_ID_PREFIX = "hdb-caller:"
CACHE_SECONDS = 86_400.0


def caller_external_id(number: str) -> str:
    """The ``external_id`` of the end user the bridge makes for the caller with this number."""
    return CALLER_EXTERNAL_ID_PREFIX + number


def caller_name(number: str) -> str:
    """What an agent sees as the caller's name until someone knows better:
    ``Caller +1 415-555-0123`` (the number in its international form)."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return f"Caller {number}"
    return "Caller " + phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def same_number(stored: object, number: str) -> bool:
    """Does a user's ``phone`` (as Zendesk keeps it: any format someone typed) name ``number``?"""
    if not isinstance(stored, str) or not stored.strip():
        return False
    try:
        parsed = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def _user_id(user: object) -> int | None:
    number = user.get("id") if isinstance(user, dict) else None
    return number if isinstance(number, int) and not isinstance(number, bool) else None


class ZendeskRequesters:
    """Finds (and, for a ticket, makes) the end user of a caller; see the module docstring."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        resilience: Resilience,
        cache: RequesterCache,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self._client = client
        self._resilience = resilience
        self._cache = cache
        self._cache_seconds = cache_seconds

    async def find(self, number: str, deadline: Deadline | None) -> int | None:
        """The id of the caller's end user, or None when Zendesk has none for the number."""
        cached = await self._cached(number)
        if cached is not None:
            return cached
        found = await self._by_external_id(number, deadline)
        if found is None:
            found = await self._by_phone(number, deadline)
        if found is not None:
            await self._remember(number, found)
        return found

    async def find_or_create(self, number: str, deadline: Deadline | None) -> tuple[int, bool]:
        """The id of the caller's end user, made when Zendesk has none, and whether it came
        from the cache (then Zendesk may have merged or deleted it since: ``forget``)."""
        cached = await self._cached(number)
        if cached is not None:
            return cached, True
        found = await self._by_phone(number, deadline)
        if found is None:
            found = await self._create(number, deadline)
        await self._remember(number, found)
        return found, False

    async def forget(self, number: str) -> None:
        """Zendesk refused the remembered user: the next hand-off looks it up again."""
        try:
            await self._cache.forget(number)
        except StoreUnavailable:
            return

    async def _by_external_id(self, number: str, deadline: Deadline | None) -> int | None:
        params = {"external_id": caller_external_id(number)}
        found = await self._users(
            "find_requester", partial(self._client.get, "/api/v2/users", params=params), deadline
        )
        ids = [i for u in found if (i := _user_id(u)) is not None]
        return min(ids) if ids else None

    async def _by_phone(self, number: str, deadline: Deadline | None) -> int | None:
        params = {"query": f'role:end-user phone:"{number}"'}
        send = partial(self._client.get, "/api/v2/users/search", params=params)
        found = await self._users("search_requester", send, deadline)
        users = [
            u
            for u in found
            if _user_id(u) is not None
            and u.get("role", "end-user") == "end-user"
            and same_number(u.get("phone"), number)
        ]
        ours = [u for u in users if u.get("external_id") == caller_external_id(number)]
        ids = [i for u in ours or users if (i := _user_id(u)) is not None]
        return min(ids) if ids else None  # the oldest, so every instance picks the same one

    async def _users(
        self, operation: str, send: Send, deadline: Deadline | None
    ) -> list[dict[str, Any]]:
        got = await answer(
            self._resilience, operation, send, deadline, replay_safe=True, read_only=True
        )
        users = got.field("users", list, "no user list in the answer")
        return [u for u in users if isinstance(u, dict)]

    async def _create(self, number: str, deadline: Deadline | None) -> int:
        user = {
            "name": caller_name(number),
            "phone": number,
            "external_id": caller_external_id(number),
            "role": "end-user",
            "skip_verify_email": True,
        }
        # An upsert on external_id: re-sending it is harmless, and whatever it did, no ticket
        # was touched - so its failure leaves no doubt about a ticket (read_only).
        response = await self._resilience.send(
            "create_requester",
            partial(self._client.post, "/api/v2/users/create_or_update", json={"user": user}),
            replay_safe=True,
            deadline=deadline,
            read_only=True,
        )
        if response.status_code == 422:  # a concurrent create of the same user won the race
            again = await self._by_external_id(number, deadline)
            if again is not None:
                return again
        if response.status_code not in (200, 201):
            raise unexpected_status("create_requester", response)
        got = Answer.read(response, "create_requester")
        made = _user_id(got.body.get("user"))
        if made is None:
            raise got.bad("the user has no numeric id")
        return made

    async def _cached(self, number: str) -> int | None:
        """The remembered id; a store that cannot be read is a miss (the cache is advice)."""
        try:
            value = await self._cache.get(number)
        except StoreUnavailable:
            return None
        return int(value) if value is not None and value.isdigit() else None

    async def _remember(self, number: str, user_id: int) -> None:
        try:
            await self._cache.put(number, str(user_id), self._cache_seconds)
        except StoreUnavailable:
            return
