"""The RequesterCache contract, run against every adapter (see conftest.py): a caller's helpdesk
user is remembered for its TTL, forgotten on demand, seen by every instance of a fleet."""

from __future__ import annotations

from application.ports import RequesterCache
from tests.support.stores.store_time import Elapse

CALLER, OTHER = "+14155550123", "+14155550999"
DAY = 86_400.0
SHORT = 0.2
PAST_SHORT = 0.35


async def test_a_caller_is_unknown_until_remembered(requester_cache: RequesterCache) -> None:
    assert await requester_cache.get(CALLER) is None
    await requester_cache.put(CALLER, "4242", DAY)
    assert await requester_cache.get(CALLER) == "4242"
    assert await requester_cache.get(OTHER) is None


async def test_a_newer_user_replaces_the_remembered_one(requester_cache: RequesterCache) -> None:
    await requester_cache.put(CALLER, "4242", DAY)
    await requester_cache.put(CALLER, "4343", DAY)
    assert await requester_cache.get(CALLER) == "4343"


async def test_a_forgotten_caller_is_unknown(requester_cache: RequesterCache) -> None:
    await requester_cache.put(CALLER, "4242", DAY)
    await requester_cache.forget(CALLER)
    await requester_cache.forget(OTHER)  # never remembered: nothing to do, no error
    assert await requester_cache.get(CALLER) is None


async def test_a_user_is_remembered_for_its_ttl(
    requester_cache: RequesterCache, elapse: Elapse
) -> None:
    await requester_cache.put(CALLER, "4242", SHORT)
    await elapse(PAST_SHORT)
    assert await requester_cache.get(CALLER) is None


async def test_what_one_instance_learnt_another_knows(store_backend) -> None:
    first, second = store_backend.requester_cache(), store_backend.requester_cache()
    await first.put(CALLER, "4242", DAY)
    assert await second.get(CALLER) == "4242"
