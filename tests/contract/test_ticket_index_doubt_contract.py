"""The TicketIndex contract for issue 10, over every adapter: uncertain claims are taken over,
never released, and a queued marker answers like a ticket except to its own delivery."""

from __future__ import annotations

from application.ports import Claim, ClaimState, TicketIndex
from tests.support.stores.store_time import Elapse
from tests.support.stores.ticket_index import (
    KEYS,
    LEASE,
    PAST_SHORT,
    SHORT,
    TTL,
    index,
    marker,
    ticket,
)

WON_OVER_DOUBT = Claim(ClaimState.WON, uncertain=True)


async def test_an_uncertain_claim_is_taken_over_by_the_next_claimer(
    ticket_index: TicketIndex,
) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.mark_uncertain(KEYS, "alice", LEASE)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == WON_OVER_DOUBT
    # bob now holds an ordinary claim
    assert await ticket_index.claim(KEYS, "carol", LEASE) == Claim(ClaimState.BUSY)


async def test_an_uncertain_key_beside_another_owners_claim_is_busy(
    ticket_index: TicketIndex,
) -> None:
    await ticket_index.claim(KEYS[:1], "alice", LEASE)
    await ticket_index.mark_uncertain(KEYS[:1], "alice", LEASE)
    await ticket_index.claim(KEYS[1:], "bob", LEASE)
    assert await ticket_index.claim(KEYS, "carol", LEASE) == Claim(ClaimState.BUSY)


async def test_marking_another_owners_claim_uncertain_changes_nothing(
    ticket_index: TicketIndex,
) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.mark_uncertain(KEYS, "bob", LEASE)
    assert await ticket_index.claim(KEYS, "carol", LEASE) == Claim(ClaimState.BUSY)


async def test_marking_uncertain_never_drops_a_ticket(ticket_index: TicketIndex) -> None:
    await index(ticket_index, KEYS, ticket())
    await ticket_index.mark_uncertain(KEYS, "alice", LEASE)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_a_lapsed_claim_marked_uncertain_is_still_taken_over_as_uncertain(
    ticket_index: TicketIndex, elapse: Elapse
) -> None:
    await ticket_index.claim(KEYS, "alice", SHORT)
    await elapse(PAST_SHORT)  # alice's create outlived her lease
    await ticket_index.mark_uncertain(KEYS, "alice", LEASE)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == WON_OVER_DOUBT


async def test_doubt_expires_with_its_lease(ticket_index: TicketIndex, elapse: Elapse) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.mark_uncertain(KEYS, "alice", SHORT)
    await elapse(PAST_SHORT)
    assert await ticket_index.claim(KEYS, "bob", LEASE) == Claim(ClaimState.WON)


async def test_a_ticket_filed_over_doubt_is_found(ticket_index: TicketIndex) -> None:
    await ticket_index.claim(KEYS, "alice", LEASE)
    await ticket_index.mark_uncertain(KEYS, "alice", LEASE)
    await ticket_index.claim(KEYS, "bob", LEASE)
    await ticket_index.fulfil(KEYS, "bob", ticket(), TTL)
    assert await ticket_index.claim(KEYS, "carol", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_a_queued_marker_is_found_with_its_flag(ticket_index: TicketIndex) -> None:
    await index(ticket_index, KEYS, marker())
    claim = await ticket_index.claim(KEYS, "bob", LEASE)
    assert claim == Claim(ClaimState.FOUND, marker())
    assert claim.ticket is not None
    assert claim.ticket.queued


async def test_a_queued_marker_spreads_to_a_new_key_like_a_ticket(
    ticket_index: TicketIndex,
) -> None:
    await index(ticket_index, KEYS[:1], marker())
    await ticket_index.claim(KEYS, "bob", LEASE)
    assert await ticket_index.claim(KEYS[1:], "carol", LEASE) == Claim(ClaimState.FOUND, marker())
    assert await ticket_index.claim(KEYS[1:], "dave", LEASE, replacing=marker().id) == Claim(
        ClaimState.WON
    )


async def test_the_delivery_of_a_queued_hand_off_claims_over_its_marker(
    ticket_index: TicketIndex,
) -> None:
    await index(ticket_index, KEYS, marker("HB-ABC234"))
    assert await ticket_index.claim(KEYS, "worker", LEASE, replacing="HB-ABC234") == Claim(
        ClaimState.WON
    )
    assert await ticket_index.claim(KEYS, "caller", LEASE) == Claim(ClaimState.BUSY)
    await ticket_index.fulfil(KEYS, "worker", ticket(), TTL)
    assert await ticket_index.claim(KEYS, "caller", LEASE) == Claim(ClaimState.FOUND, ticket())


async def test_another_references_marker_is_found_by_a_delivery(
    ticket_index: TicketIndex,
) -> None:
    await index(ticket_index, KEYS, marker("HB-ABC234"))
    assert await ticket_index.claim(KEYS, "worker", LEASE, replacing="HB-XYZ789") == Claim(
        ClaimState.FOUND, marker("HB-ABC234")
    )


async def test_a_real_ticket_under_another_key_wins_over_the_replaced_marker(
    ticket_index: TicketIndex,
) -> None:
    await index(ticket_index, KEYS[:1], marker("HB-ABC234"))
    await index(ticket_index, KEYS[1:], ticket())
    assert await ticket_index.claim(KEYS, "worker", LEASE, replacing="HB-ABC234") == Claim(
        ClaimState.FOUND, ticket()
    )


async def test_replacing_a_marker_does_not_override_another_owners_claim(
    ticket_index: TicketIndex,
) -> None:
    await index(ticket_index, KEYS[:1], marker("HB-ABC234"))
    await ticket_index.claim(KEYS[1:], "alice", LEASE)
    assert await ticket_index.claim(KEYS, "worker", LEASE, replacing="HB-ABC234") == Claim(
        ClaimState.BUSY
    )
