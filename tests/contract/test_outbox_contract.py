"""The Outbox contract, run against every adapter: memory, SQLite (a file in tmp_path) and real
Redis (the ``outbox_backend`` fixture, conftest.py). Times are explicit ``now`` arguments:
nothing sleeps."""

from __future__ import annotations

import asyncio
import itertools

import msgspec
import pytest

from application.ports import DuplicateReference, Outbox, OutboxState, OutboxStats, QueuedHandoff
from tests.support.stores.outbox_backends import T0, OutboxBackend, handoff

LEASE = 30.0
STRONG, WEAK = "oa:conv-42", "caller:+4930123456:wifi"


def refs(items: list[QueuedHandoff]) -> list[str]:
    return [item.reference for item in items]


async def test_put_keeps_the_item_exactly_and_get_returns_it(outbox: Outbox) -> None:
    item = QueuedHandoff(
        reference="HB-ABC234",
        problem=bytes(range(256)) + "ünïcode ✓".encode(),
        dedup_keys=(STRONG, "caller:+4930123456:wifi ✓"),
        queued_at=T0 + 0.1 + 0.2,
        attempts=2,
        last_error="helpdesk answered 503",
        next_attempt_at=T0 + 1 / 3,
    )
    assert await outbox.put(item) == item
    assert await outbox.put(item) == item  # again: it stands for its own problem
    assert await outbox.get("HB-ABC234") == item
    assert await outbox.get("HB-NOTHER") is None
    assert await outbox.retry("HB-NOTHER", T0) is False
    assert await outbox.drop("HB-NOTHER") is False


@pytest.mark.parametrize(
    "keys",
    [(STRONG, WEAK), (STRONG,), (WEAK,), ("oa:other", WEAK), (WEAK, STRONG)],
    ids=["same keys", "the strong key", "the weak key", "one of two", "reordered"],
)
async def test_a_queued_item_holding_any_key_stands_for_the_problem(
    outbox: Outbox, keys: tuple[str, ...]
) -> None:
    first = handoff("HB-FIRST2", (STRONG, WEAK))
    await outbox.put(first)
    assert await outbox.put(handoff("HB-AGAIN2", keys, queued_at=T0 + 5)) == first
    assert await outbox.get("HB-AGAIN2") is None
    assert (await outbox.stats(T0 + 5)).queued == 1


async def test_the_strongest_shared_key_decides_which_item_is_returned(outbox: Outbox) -> None:
    weak = await outbox.put(handoff("HB-WEAK22", (WEAK,)))
    strong = await outbox.put(handoff("HB-STRONG", (STRONG,), queued_at=T0 + 1))
    assert weak != strong
    assert await outbox.put(handoff("HB-BOTH22", (STRONG, WEAK), queued_at=T0 + 2)) == strong


async def test_items_without_keys_never_deduplicate(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-KEYLS2"))
    await outbox.put(handoff("HB-KEYLS3"))
    assert refs(await outbox.items(OutboxState.QUEUED, 10)) == ["HB-KEYLS2", "HB-KEYLS3"]


async def test_a_taken_reference_raises_and_keeps_the_first(outbox: Outbox) -> None:
    first = await outbox.put(handoff("HB-TAKEN2", (STRONG,)))
    with pytest.raises(DuplicateReference):
        await outbox.put(handoff("HB-TAKEN2", (WEAK,), queued_at=T0 + 1))
    assert await outbox.get("HB-TAKEN2") == first
    assert await outbox.put(handoff("HB-OTHER2", (WEAK,))) == handoff("HB-OTHER2", (WEAK,))


async def test_lease_takes_only_due_items_oldest_first_up_to_the_limit(outbox: Outbox) -> None:
    for reference, queued_at, due in [
        ("HB-THIRD2", T0 + 3, T0 + 3),
        ("HB-FIRST3", T0 + 1, T0 + 1),
        ("HB-LATER2", T0 + 0, T0 + 20),  # the oldest, but postponed
        ("HB-SECND2", T0 + 2, T0 + 2),
        ("HB-FOURT2", T0 + 4, T0 + 4),
    ]:
        await outbox.put(handoff(reference, queued_at=queued_at, next_attempt_at=due))
    assert refs(await outbox.lease("w1", T0 + 10, LEASE, 2)) == ["HB-FIRST3", "HB-SECND2"]
    assert refs(await outbox.lease("w1", T0 + 10, LEASE, 5)) == ["HB-THIRD2", "HB-FOURT2"]
    assert await outbox.lease("w1", T0 + 10, LEASE, 5) == []
    assert refs(await outbox.lease("w2", T0 + 20, LEASE, 5)) == ["HB-LATER2"]


async def test_an_item_is_due_at_its_next_attempt_time(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-DUEAT2", next_attempt_at=T0 + 60))
    assert await outbox.lease("w1", T0 + 59.999, LEASE, 1) == []
    assert refs(await outbox.lease("w1", T0 + 60, LEASE, 1)) == ["HB-DUEAT2"]


async def test_lease_returns_the_items_as_kept(outbox: Outbox) -> None:
    item = handoff("HB-KEPT22", (STRONG,))
    await outbox.put(item)
    assert await outbox.lease("w1", T0, LEASE, 1) == [item]
    assert await outbox.lease("w1", T0, LEASE, 0) == []


async def test_concurrent_leases_never_hand_one_item_to_two_workers(
    outbox_backend: OutboxBackend,
) -> None:
    outboxes = [outbox_backend.outbox() for _ in range(3)]
    for n in range(30):
        await outboxes[0].put(handoff(f"HB-C{n:05d}", queued_at=T0 + n))
    batches = await asyncio.gather(
        *(outboxes[n % 3].lease(f"w{n}", T0 + 60, LEASE, 4) for n in range(12))
    )
    leased = list(itertools.chain.from_iterable(refs(batch) for batch in batches))
    assert sorted(leased) == [f"HB-C{n:05d}" for n in range(30)]


async def test_a_live_lease_is_not_taken_and_an_expired_one_is(
    outbox_backend: OutboxBackend,
) -> None:
    one, other = outbox_backend.outbox(), outbox_backend.outbox()
    await one.put(handoff("HB-LEASE2"))
    assert refs(await one.lease("dies", T0, LEASE, 1)) == ["HB-LEASE2"]
    assert await other.lease("lives", T0 + LEASE - 1, LEASE, 1) == []
    assert refs(await other.lease("lives", T0 + LEASE, LEASE, 1)) == ["HB-LEASE2"]
    assert await one.lease("dies", T0 + LEASE + 1, LEASE, 1) == []


async def test_delivered_records_the_ticket_and_frees_the_keys(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-DELIV2", (STRONG,)))
    await outbox.lease("w1", T0, LEASE, 1)
    await outbox.delivered("HB-DELIV2", "TKT-7", "https://help.example.com/t/7", T0 + 5)
    assert await outbox.get("HB-DELIV2") == msgspec.structs.replace(
        handoff("HB-DELIV2", (STRONG,)),
        state=OutboxState.DELIVERED,
        attempts=1,
        delivered_at=T0 + 5,
        ticket_id="TKT-7",
        ticket_url="https://help.example.com/t/7",
    )
    assert await outbox.lease("w2", T0 + 1000, LEASE, 1) == []
    again = handoff("HB-AFTER2", (STRONG,), queued_at=T0 + 6)
    assert await outbox.put(again) == again


async def test_postpone_counts_the_attempt_and_ends_the_lease(
    outbox_backend: OutboxBackend,
) -> None:
    one, other = outbox_backend.outbox(), outbox_backend.outbox()
    await one.put(handoff("HB-POSTP2", (STRONG,)))
    for attempt in (1, 2, 3):
        now = T0 + 100 * attempt
        assert refs(await one.lease("w1", now, LEASE, 1)) == ["HB-POSTP2"]
        await one.postpone("HB-POSTP2", f"503 #{attempt}", now + 50)
        assert await other.lease("w2", now + 49, LEASE, 1) == []
    item = await other.get("HB-POSTP2")
    assert item is not None
    assert (item.state, item.attempts, item.last_error, item.next_attempt_at) == (
        OutboxState.QUEUED,
        3,
        "503 #3",
        T0 + 350,
    )
    assert refs(await other.lease("w2", T0 + 350, LEASE, 1)) == ["HB-POSTP2"]  # lease ended
    assert await one.put(handoff("HB-SAME22", (STRONG,))) == item  # still dedups


async def test_kill_makes_the_item_dead_kept_and_frees_its_keys(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-KILLD2", (STRONG,)))
    await outbox.lease("w1", T0, LEASE, 1)
    await outbox.kill("HB-KILLD2", "older than 86400 s", T0 + 86_401)
    dead = await outbox.get("HB-KILLD2")
    assert dead is not None
    assert (dead.state, dead.last_error, dead.attempts) == (
        OutboxState.DEAD,
        "older than 86400 s",
        0,
    )
    assert await outbox.lease("w2", T0 + 99_999, LEASE, 1) == []
    assert refs(await outbox.items(OutboxState.DEAD, 10)) == ["HB-KILLD2"]
    again = handoff("HB-AFTER3", (STRONG,))
    assert await outbox.put(again) == again


async def test_a_delivered_item_ignores_a_late_postpone_kill_or_delivery(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-LATE22", (STRONG,)))
    await outbox.delivered("HB-LATE22", "TKT-1", "https://help.example.com/t/1", T0 + 1)
    delivered = await outbox.get("HB-LATE22")
    await outbox.postpone("HB-LATE22", "late worker", T0 + 60)
    await outbox.kill("HB-LATE22", "late reaper", T0 + 60)
    await outbox.delivered("HB-LATE22", "TKT-2", "https://help.example.com/t/2", T0 + 2)
    assert await outbox.get("HB-LATE22") == delivered
    assert await outbox.retry("HB-LATE22", T0 + 3) is False


async def test_retry_makes_a_dead_item_queued_due_now_and_deduplicating(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-RETRY2", (STRONG,)))
    await outbox.kill("HB-RETRY2", "too old", T0 + 10)
    assert await outbox.retry("HB-RETRY2", T0 + 20) is True
    item = await outbox.get("HB-RETRY2")
    assert item is not None
    assert (item.state, item.next_attempt_at, item.last_error) == (
        OutboxState.QUEUED,
        T0 + 20,
        "too old",
    )
    assert await outbox.put(handoff("HB-SAME23", (STRONG,))) == item
    assert refs(await outbox.lease("w1", T0 + 20, LEASE, 5)) == ["HB-RETRY2"]


async def test_retry_makes_a_postponed_item_due_now(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-RETRY3", next_attempt_at=T0 + 3600))
    assert await outbox.retry("HB-RETRY3", T0 + 10) is True
    assert refs(await outbox.lease("w1", T0 + 10, LEASE, 5)) == ["HB-RETRY3"]


async def test_retry_keeps_a_live_lease(outbox: Outbox) -> None:
    await outbox.put(handoff("HB-RETRY4"))
    await outbox.lease("busy", T0, LEASE, 1)
    assert await outbox.retry("HB-RETRY4", T0 + 1) is True
    assert await outbox.lease("other", T0 + 1, LEASE, 1) == []
    assert refs(await outbox.lease("other", T0 + LEASE, LEASE, 1)) == ["HB-RETRY4"]


@pytest.mark.parametrize("state", ["queued", "leased", "dead", "delivered"])
async def test_drop_deletes_the_item_in_any_state_and_frees_its_keys(
    outbox: Outbox, state: str
) -> None:
    await outbox.put(handoff("HB-DROP22", (STRONG,)))
    if state == "leased":
        await outbox.lease("w1", T0, LEASE, 1)
    elif state == "dead":
        await outbox.kill("HB-DROP22", "too old", T0)
    elif state == "delivered":
        await outbox.delivered("HB-DROP22", "TKT-1", "https://help.example.com/t/1", T0)
    assert await outbox.drop("HB-DROP22") is True
    assert await outbox.get("HB-DROP22") is None
    assert await outbox.drop("HB-DROP22") is False
    assert await outbox.lease("w2", T0 + 1000, LEASE, 5) == []
    assert await outbox.stats(T0) == OutboxStats(
        queued=0, delivered=0, dead=0, oldest_queued_age_seconds=None
    )
    again = handoff("HB-AFTER4", (STRONG,))
    assert await outbox.put(again) == again


async def test_items_and_stats_report_each_state_oldest_first(outbox: Outbox) -> None:
    assert await outbox.stats(T0) == OutboxStats(
        queued=0, delivered=0, dead=0, oldest_queued_age_seconds=None
    )
    for n, reference in enumerate(["HB-ITEM00", "HB-ITEM01", "HB-ITEM02", "HB-ITEM03"]):
        await outbox.put(handoff(reference, queued_at=T0 + 10 * (3 - n)))  # newest first
    await outbox.delivered("HB-ITEM03", "TKT-1", "https://help.example.com/t/1", T0 + 40)
    await outbox.kill("HB-ITEM01", "too old", T0 + 40)
    assert refs(await outbox.items(None, 10)) == [
        "HB-ITEM03",
        "HB-ITEM02",
        "HB-ITEM01",
        "HB-ITEM00",
    ]
    assert refs(await outbox.items(None, 2)) == ["HB-ITEM03", "HB-ITEM02"]
    assert refs(await outbox.items(OutboxState.QUEUED, 10)) == ["HB-ITEM02", "HB-ITEM00"]
    assert refs(await outbox.items(OutboxState.QUEUED, 1)) == ["HB-ITEM02"]
    assert refs(await outbox.items(OutboxState.DELIVERED, 10)) == ["HB-ITEM03"]
    assert refs(await outbox.items(OutboxState.DEAD, 10)) == ["HB-ITEM01"]
    assert await outbox.stats(T0 + 100) == OutboxStats(
        queued=2, delivered=1, dead=1, oldest_queued_age_seconds=90.0
    )


async def test_the_store_is_healthy(outbox: Outbox) -> None:
    assert await outbox.check_health() is True
