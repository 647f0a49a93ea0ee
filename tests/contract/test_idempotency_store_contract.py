"""The IdempotencyStore contract, run against every adapter (see conftest.py)."""

from __future__ import annotations

import asyncio

import pytest

from application.ports import (
    IdempotencyRecord,
    IdempotencyState,
    IdempotencyStore,
    StoredResponse,
)
from tests.support.stores.store_time import Elapse

KEY = "idem-key-1"
PRINT = "sha256:aaaa"
OTHER_PRINT = "sha256:bbbb"
LEASE = 30.0
TTL = 60.0
SHORT = 0.2
PAST_SHORT = 0.35
RESPONSE = StoredResponse(status=201, body=b'{"ticketId":"TKT-1000"}')

STARTED = IdempotencyRecord(IdempotencyState.STARTED)
IN_FLIGHT = IdempotencyRecord(IdempotencyState.IN_FLIGHT)
CONFLICT = IdempotencyRecord(IdempotencyState.CONFLICT)


def replay(response: StoredResponse) -> IdempotencyRecord:
    return IdempotencyRecord(IdempotencyState.REPLAY, response)


async def test_first_use_starts(idempotency_store: IdempotencyStore) -> None:
    assert await idempotency_store.begin(KEY, PRINT, LEASE) == STARTED


async def test_a_second_begin_while_in_flight_is_told_in_flight(
    idempotency_store: IdempotencyStore,
) -> None:
    await idempotency_store.begin(KEY, PRINT, LEASE)
    assert await idempotency_store.begin(KEY, PRINT, LEASE) == IN_FLIGHT


async def test_a_different_fingerprint_conflicts_while_in_flight(
    idempotency_store: IdempotencyStore,
) -> None:
    await idempotency_store.begin(KEY, PRINT, LEASE)
    assert await idempotency_store.begin(KEY, OTHER_PRINT, LEASE) == CONFLICT


async def test_after_complete_the_same_payload_replays_the_stored_response(
    idempotency_store: IdempotencyStore,
) -> None:
    await idempotency_store.begin(KEY, PRINT, LEASE)
    await idempotency_store.complete(KEY, PRINT, RESPONSE, TTL)
    assert await idempotency_store.begin(KEY, PRINT, LEASE) == replay(RESPONSE)
    assert await idempotency_store.begin(KEY, PRINT, LEASE) == replay(RESPONSE)


async def test_replayed_bytes_are_identical_whatever_they_hold(
    idempotency_store: IdempotencyStore,
) -> None:
    raw = StoredResponse(status=200, body=bytes(range(256)) + "ünïcode ✓\r\n".encode())
    empty = StoredResponse(status=204, body=b"")
    await idempotency_store.begin("raw", PRINT, LEASE)
    await idempotency_store.complete("raw", PRINT, raw, TTL)
    await idempotency_store.begin("empty", PRINT, LEASE)
    await idempotency_store.complete("empty", PRINT, empty, TTL)
    raw_record = await idempotency_store.begin("raw", PRINT, LEASE)
    empty_record = await idempotency_store.begin("empty", PRINT, LEASE)
    assert raw_record.response is not None
    assert raw_record.response.body == raw.body
    assert raw_record.response.status == 200
    assert empty_record == replay(empty)


async def test_after_complete_a_different_payload_conflicts(
    idempotency_store: IdempotencyStore,
) -> None:
    await idempotency_store.begin(KEY, PRINT, LEASE)
    await idempotency_store.complete(KEY, PRINT, RESPONSE, TTL)
    assert await idempotency_store.begin(KEY, OTHER_PRINT, LEASE) == CONFLICT


@pytest.mark.parametrize(
    ("completed", "abandoned_by", "after"),
    [
        (False, PRINT, STARTED),  # the request failed: a retry may start
        (False, OTHER_PRINT, IN_FLIGHT),  # another payload cannot drop this one's marker
        (True, PRINT, replay(RESPONSE)),  # a finished response is never dropped
    ],
    ids=["lets-a-retry-start", "other-fingerprint-keeps-the-marker", "keeps-a-completed-response"],
)
async def test_abandon(
    idempotency_store: IdempotencyStore,
    completed: bool,
    abandoned_by: str,
    after: IdempotencyRecord,
) -> None:
    await idempotency_store.begin(KEY, PRINT, LEASE)
    if completed:
        await idempotency_store.complete(KEY, PRINT, RESPONSE, TTL)
    await idempotency_store.abandon(KEY, abandoned_by)
    assert await idempotency_store.begin(KEY, PRINT, LEASE) == after


async def test_abandon_of_an_unknown_key_does_nothing(idempotency_store: IdempotencyStore) -> None:
    await idempotency_store.abandon("never-used", PRINT)
    assert await idempotency_store.begin("never-used", PRINT, LEASE) == STARTED


@pytest.mark.parametrize(
    ("lease", "ttl", "fingerprint", "before", "after"),
    [
        (SHORT, None, PRINT, IN_FLIGHT, STARTED),  # the worker died mid-request
        (LEASE, SHORT, OTHER_PRINT, CONFLICT, STARTED),  # the stored response's TTL ends
        (SHORT, TTL, PRINT, replay(RESPONSE), replay(RESPONSE)),  # it outlives the lease
    ],
    ids=["in-flight-marker-expires", "stored-response-expires", "response-outlives-lease"],
)
async def test_entries_expire_with_their_own_lease_or_ttl(
    idempotency_store: IdempotencyStore,
    elapse: Elapse,
    lease: float,
    ttl: float | None,
    fingerprint: str,
    before: IdempotencyRecord,
    after: IdempotencyRecord,
) -> None:
    await idempotency_store.begin(KEY, PRINT, lease)
    if ttl is not None:
        await idempotency_store.complete(KEY, PRINT, RESPONSE, ttl)
    assert await idempotency_store.begin(KEY, fingerprint, LEASE) == before
    await elapse(PAST_SHORT)
    assert await idempotency_store.begin(KEY, fingerprint, LEASE) == after


async def test_keys_are_independent(idempotency_store: IdempotencyStore) -> None:
    await idempotency_store.begin("one", PRINT, LEASE)
    assert await idempotency_store.begin("two", OTHER_PRINT, LEASE) == STARTED


async def test_of_fifty_concurrent_duplicates_exactly_one_starts(store_backend) -> None:
    instances = [store_backend.idempotency_store() for _ in range(5)]
    start = asyncio.Event()

    async def duplicate(n: int) -> IdempotencyRecord:
        await start.wait()
        return await instances[n % len(instances)].begin(KEY, PRINT, LEASE)

    tasks = [asyncio.create_task(duplicate(n)) for n in range(50)]
    await asyncio.sleep(0)
    start.set()
    records = await asyncio.gather(*tasks)
    assert records.count(STARTED) == 1
    assert records.count(IN_FLIGHT) == 49


async def test_a_response_stored_by_one_instance_replays_on_another(store_backend) -> None:
    first, second = store_backend.idempotency_store(), store_backend.idempotency_store()
    await first.begin(KEY, PRINT, LEASE)
    assert await second.begin(KEY, PRINT, LEASE) == IN_FLIGHT
    await first.complete(KEY, PRINT, RESPONSE, TTL)
    assert await second.begin(KEY, PRINT, LEASE) == replay(RESPONSE)


async def test_a_healthy_store_reports_healthy(idempotency_store) -> None:
    assert await idempotency_store.check_health() is True
