"""The TicketIndex contract for issue 19, over every adapter: a claim whose holder died is
remembered past its lease, as uncertain, and the index says since when it has held everything
made through it - what lets a filing skip the helpdesk's look-up."""

from __future__ import annotations

from application.ports import Claim, ClaimState, TicketIndex
from tests.support.stores.store_time import Elapse
from tests.support.stores.ticket_index import KEYS, LEASE, PAST_SHORT, SHORT, TTL, ticket

WON_OVER_DOUBT = Claim(ClaimState.WON, uncertain=True)


async def test_a_lapsed_claim_is_taken_over_as_uncertain_while_remembered(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await ticket_index.claim(KEYS, "alice", SHORT, remember_seconds=TTL)  # alice dies mid-create
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.BUSY)
    await elapse(PAST_SHORT)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == WON_OVER_DOUBT
    assert await ticket_index.claim(KEYS, "carol", LEASE) == Claim(ClaimState.BUSY)


async def test_a_lapsed_claim_is_forgotten_after_its_lease_and_its_memory(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await ticket_index.claim(KEYS, "alice", SHORT, remember_seconds=SHORT)
    await elapse(2 * PAST_SHORT)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.WON)


async def test_the_holder_claiming_again_inside_its_lease_is_certain(
    ticket_index: TicketIndex,
) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE, remember_seconds=TTL)
    assert await ticket_index.claim(KEYS, "alice", LEASE, remember_seconds=TTL) == Claim(
        ClaimState.WON
    )


async def test_doubt_is_remembered_past_its_lease(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE, remember_seconds=TTL)
    await ticket_index.mark_uncertain(KEYS, "alice", SHORT, remember_seconds=TTL)
    await elapse(PAST_SHORT)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == WON_OVER_DOUBT


async def test_a_released_claim_leaves_nothing_to_doubt(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE, remember_seconds=TTL)
    await ticket_index.release(KEYS, "alice")
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.WON)


async def test_a_remembered_claim_that_was_fulfilled_is_found(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await ticket_index.claim(KEYS, "alice", SHORT, remember_seconds=TTL)
    await ticket_index.fulfil(KEYS, "alice", ticket(), TTL)
    await elapse(PAST_SHORT)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_the_index_says_since_when_it_has_held_everything(store_backend) -> None:
    first, second = store_backend.ticket_index(), store_backend.ticket_index()
    since = await first.complete_since()
    assert since is not None
    assert since <= store_backend.now() + 0.01  # Redis's clock rounds to the millisecond
    await first.claim(KEYS, "alice", LEASE, remember_seconds=TTL)
    await store_backend.elapse(PAST_SHORT)
    assert await first.complete_since() == since
    assert await second.complete_since() == since  # another process of the fleet: the same
