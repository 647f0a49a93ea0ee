"""The TicketIndex contract, run against every adapter (see conftest.py)."""

from __future__ import annotations

import asyncio

from application.ports import Claim, ClaimState, TicketIndex
from domain.ticket import TicketRef
from tests.support.stores.store_time import Elapse
from tests.support.stores.ticket_index import KEYS, LEASE, PAST_SHORT, SHORT, TTL, index, ticket


async def test_first_claim_wins_and_another_owner_is_busy(ticket_index: TicketIndex) -> None:
    assert await ticket_index.claim(KEYS, "alice", LEASE) == Claim(ClaimState.WON)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.BUSY)


async def test_the_holder_claiming_again_wins_again(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    assert await ticket_index.claim(KEYS, "alice", LEASE) == Claim(ClaimState.WON)


async def test_one_held_key_makes_the_whole_claim_busy_and_claims_nothing(
    ticket_index: TicketIndex,
) -> None:
    await ticket_index.claim(KEYS[:1], "alice", LEASE)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.BUSY)
    # bob's refused claim left the other key free
    assert await ticket_index.claim(KEYS[1:], "carol", LEASE) == Claim(ClaimState.WON)


async def test_fulfil_indexes_the_ticket_under_every_key(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.fulfil(KEYS, "alice", ticket(), TTL)
    for key in KEYS:
        assert await ticket_index.claim([key], "bob", LEASE) == Claim(ClaimState.FOUND, ticket())
    assert await ticket_index.claim(KEYS, "alice", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_found_ticket_is_returned_exactly(ticket_index: TicketIndex) -> None:
    odd = TicketRef(id="#42 ünïcode/✓", url="https://x.example/t?id=42&a=b", created_at=0.1 + 0.2)
    await index(ticket_index, KEYS, odd)
    claim = await ticket_index.claim(KEYS, "bob", LEASE)
    assert claim.state is ClaimState.FOUND
    assert claim.ticket == odd


async def test_the_strongest_key_decides_which_ticket_is_found(ticket_index: TicketIndex) -> None:
    await index(ticket_index, KEYS[1:], ticket("TKT-WEAK"))
    await index(ticket_index, KEYS[:1], ticket("TKT-STRONG"))
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(
        ClaimState.FOUND, ticket("TKT-STRONG")
    )


async def test_a_ticket_under_any_key_beats_another_owners_claim(
    ticket_index: TicketIndex,
) -> None:
    await ticket_index.claim(KEYS[:1], "alice", LEASE)
    await index(ticket_index, KEYS[1:], ticket())
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_release_frees_the_keys_for_the_next_hand_off(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.release(KEYS, "alice")
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.WON)


async def test_release_by_another_owner_leaves_the_claim(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.release(KEYS, "bob")
    assert await ticket_index.claim(KEYS, "carol", LEASE) == Claim(ClaimState.BUSY)


async def test_release_never_drops_a_ticket(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.fulfil(KEYS, "alice", ticket(), TTL)
    await ticket_index.release(KEYS, "alice")
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_found_fills_only_the_empty_keys(ticket_index: TicketIndex) -> None:
    claimed, indexed, empty = "k:claimed", "k:indexed", "k:empty"
    await index(ticket_index, [indexed], ticket("TKT-OLD"))
    await ticket_index.claim([claimed], "alice", LEASE)
    assert await ticket_index.claim([indexed, claimed, empty], "bob", LEASE) == Claim(
        ClaimState.FOUND, ticket("TKT-OLD")
    )
    assert await ticket_index.claim([empty], "carol", LEASE) == Claim(
        ClaimState.FOUND, ticket("TKT-OLD")
    )
    assert await ticket_index.claim([claimed], "carol", LEASE) == Claim(ClaimState.BUSY)


async def test_keys_filled_by_a_find_expire_with_the_ticket(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await index(ticket_index, KEYS[:1], ticket(), SHORT)
    assert (await ticket_index.claim(KEYS, "bob", LEASE)).state is ClaimState.FOUND
    await elapse(PAST_SHORT)
    assert await ticket_index.claim(KEYS[1:], "carol", LEASE) == Claim(ClaimState.WON)


async def test_an_indexed_ticket_expires_with_its_ttl(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.fulfil(KEYS, "alice", ticket(), SHORT)
    assert (await ticket_index.claim(KEYS, "bob", LEASE)).state is ClaimState.FOUND
    await elapse(PAST_SHORT)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.WON)


async def test_a_dead_holders_claim_expires_with_its_lease(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await ticket_index.claim(KEYS, "alice", SHORT)  # alice dies without fulfil or release
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.BUSY)
    await elapse(PAST_SHORT)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.WON)


async def test_keys_are_independent(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(["k:one"], "alice", LEASE)
    await index(ticket_index, ["k:two"], ticket())
    assert await ticket_index.claim(["k:three"], "bob", LEASE) == Claim(ClaimState.WON)


async def test_of_fifty_concurrent_claimers_exactly_one_wins(store_backend) -> None:
    instances = [store_backend.ticket_index() for _ in range(5)]  # as if five processes
    start = asyncio.Event()

    async def claimer(n: int) -> Claim:
        await start.wait()
        return await instances[n % len(instances)].claim(KEYS, f"owner-{n}", LEASE)

    tasks = [asyncio.create_task(claimer(n)) for n in range(50)]
    await asyncio.sleep(0)
    start.set()
    claims = await asyncio.gather(*tasks)
    assert [c.state for c in claims].count(ClaimState.WON) == 1
    assert [c.state for c in claims].count(ClaimState.BUSY) == 49


async def test_concurrent_hand_offs_file_one_ticket_and_the_rest_find_it_or_wait(
    store_backend,
) -> None:
    instances = [store_backend.ticket_index() for _ in range(5)]
    start = asyncio.Event()

    async def hand_off(n: int) -> tuple[str, Claim]:
        index, owner = instances[n % len(instances)], f"owner-{n}"
        await start.wait()
        claim = await index.claim(KEYS, owner, LEASE)
        if claim.state is ClaimState.WON:
            await index.fulfil(KEYS, owner, ticket(owner), TTL)
        return owner, claim

    tasks = [asyncio.create_task(hand_off(n)) for n in range(50)]
    await asyncio.sleep(0)
    start.set()
    results = await asyncio.gather(*tasks)
    winners = [owner for owner, claim in results if claim.state is ClaimState.WON]
    assert len(winners) == 1
    others = [claim for _, claim in results if claim.state is not ClaimState.WON]
    assert all(c.state in {ClaimState.BUSY, ClaimState.FOUND} for c in others)
    assert all(c.ticket == ticket(winners[0]) for c in others if c.state is ClaimState.FOUND)
    # afterwards everyone finds the winner's ticket
    assert await instances[1].claim(KEYS, "late", LEASE) == Claim(
        ClaimState.FOUND, ticket(winners[0])
    )


async def test_a_claim_made_through_one_instance_is_seen_by_another(store_backend) -> None:
    first, second = store_backend.ticket_index(), store_backend.ticket_index()
    await first.claim(KEYS, "alice", LEASE)
    assert await second.claim(KEYS, "bob", LEASE) == Claim(ClaimState.BUSY)
    await first.fulfil(KEYS, "alice", ticket(), TTL)
    assert await second.claim(KEYS, "bob", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_a_healthy_index_reports_healthy(ticket_index) -> None:
    assert await ticket_index.check_health() is True
