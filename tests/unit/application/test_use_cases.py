"""The five use cases against the in-memory adapters: observable results and helpdesk state."""

from __future__ import annotations

import asyncio

import pytest

from adapters.clock import ManualClock
from adapters.helpdesk.mock import MockHelpdesk
from adapters.stores.memory import MemoryTicketIndex
from application.errors import DedupInProgress, HelpdeskUnavailable, TicketNotFound
from application.filing.ticket_filing import TicketFiling
from application.use_cases.append_note import AppendNote, AppendNoteCommand
from application.use_cases.create_ticket import CreateTicket, CreateTicketCommand
from application.use_cases.find_or_create_ticket import (
    FindOrCreateTicket,
    FindOrCreateTicketCommand,
)
from application.use_cases.oa_handoff import OaHandoff, OaHandoffCommand
from application.use_cases.render_note import RenderNote, RenderNoteCommand
from domain.dedup import DedupPolicy
from domain.errors import DomainError, InvalidInput
from domain.taxonomy import Category, EscalationReason

NOTE = (
    "Category: WiFi\nReason: CallerRequested\nSummary: Customer unable to connect to WiFi\n"
    "Confidence: 0.85"
)


async def test_handoff_creates_then_dedups_by_oa_key(
    handoff: OaHandoff, helpdesk: MockHelpdesk
) -> None:
    first = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="oa-12345"))
    second = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="oa-12345"))
    assert (first.created, first.ticket.id) == (True, "TKT-1000")
    assert first.ticket.url == "https://helpdesk.example.com/tickets/1000"
    assert (second.created, second.ticket.id) == (False, "TKT-1000")
    assert len(helpdesk.tickets) == 1


async def test_handoff_reads_missing_fields_from_the_note(handoff: OaHandoff) -> None:
    result = await handoff.execute(OaHandoffCommand(note=NOTE))
    assert result.problem.category is Category.WIFI
    assert result.problem.reason is EscalationReason.CALLER_REQUESTED
    assert result.problem.confidence == "0.85"
    assert (result.problem.oa_key, result.problem.caller_number) == (None, None)


async def test_explicit_fields_win_over_the_note(handoff: OaHandoff) -> None:
    result = await handoff.execute(
        OaHandoffCommand(
            note=NOTE,
            category=Category.OUTAGE,
            escalation_reason=EscalationReason.SAFETY_RISK,
            confidence="0.1",
        )
    )
    assert (result.problem.category, result.problem.reason, result.problem.confidence) == (
        Category.OUTAGE,
        EscalationReason.SAFETY_RISK,
        "0.1",
    )


async def test_same_caller_and_category_dedups_across_conversations(handoff: OaHandoff) -> None:
    first = await handoff.execute(
        OaHandoffCommand(note=NOTE, caller_number="+1 415 555 2671", oa_key="conv-1")
    )
    second = await handoff.execute(
        OaHandoffCommand(note=NOTE, caller_number="+14155552671", oa_key="conv-2")
    )
    other_problem = await handoff.execute(
        OaHandoffCommand(note=NOTE, caller_number="+14155552671", category=Category.OUTAGE)
    )
    assert second.ticket.id == first.ticket.id
    assert not second.created
    assert first.problem.caller_number == "+14155552671"
    assert other_problem.created
    assert other_problem.ticket.id != first.ticket.id


async def test_without_keys_every_handoff_files_a_ticket(
    handoff: OaHandoff, helpdesk: MockHelpdesk
) -> None:
    await handoff.execute(OaHandoffCommand(note=NOTE))
    await handoff.execute(OaHandoffCommand(note=NOTE))
    assert len(helpdesk.tickets) == 2


async def test_dedup_ends_after_four_hours(handoff: OaHandoff, clock: ManualClock) -> None:
    first = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="k"))
    clock.advance(4 * 3600 - 1)
    assert (await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="k"))).created is False
    clock.advance(2)
    later = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="k"))
    assert later.created
    assert later.ticket.id != first.ticket.id


async def test_concurrent_handoffs_for_one_problem_create_one_ticket(clock: ManualClock) -> None:
    helpdesk = MockHelpdesk(clock, latency_seconds=0.02)
    handoff = OaHandoff(TicketFiling(helpdesk, MemoryTicketIndex(clock), clock, DedupPolicy()))
    results = await asyncio.gather(
        *(handoff.execute(OaHandoffCommand(note=NOTE, oa_key="same")) for _ in range(48))
    )
    assert len(helpdesk.tickets) == 1
    assert {r.ticket.id for r in results} == {"TKT-1000"}
    assert sum(r.created for r in results) == 1


async def test_a_failed_create_releases_the_claim_so_a_retry_files_it(
    handoff: OaHandoff, helpdesk: MockHelpdesk
) -> None:
    helpdesk.healthy = False
    with pytest.raises(HelpdeskUnavailable):
        await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="retry-me"))
    helpdesk.healthy = True
    result = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="retry-me"))
    assert result.created
    assert len(helpdesk.tickets) == 1


async def test_a_lost_index_is_recovered_from_the_helpdesk(
    helpdesk: MockHelpdesk, clock: ManualClock
) -> None:
    """A restart loses the in-memory index; the helpdesk still knows the open ticket."""
    before = OaHandoff(TicketFiling(helpdesk, MemoryTicketIndex(clock), clock, DedupPolicy()))
    after = OaHandoff(TicketFiling(helpdesk, MemoryTicketIndex(clock), clock, DedupPolicy()))
    first = await before.execute(OaHandoffCommand(note=NOTE, oa_key="survives"))
    again = await after.execute(OaHandoffCommand(note=NOTE, oa_key="survives"))
    assert (again.created, again.ticket.id) == (False, first.ticket.id)
    helpdesk.close_ticket(first.ticket.id)
    fresh = OaHandoff(TicketFiling(helpdesk, MemoryTicketIndex(clock), clock, DedupPolicy()))
    assert (await fresh.execute(OaHandoffCommand(note=NOTE, oa_key="survives"))).created


async def test_waiters_give_up_when_the_winner_never_finishes(
    helpdesk: MockHelpdesk, clock: ManualClock
) -> None:
    index = MemoryTicketIndex(clock)
    await index.claim(["oa:stuck"], "someone-else", lease_seconds=60)
    filing = TicketFiling(helpdesk, index, clock, DedupPolicy(), wait_seconds=5)
    waiter = asyncio.create_task(
        OaHandoff(filing).execute(OaHandoffCommand(note=NOTE, oa_key="stuck"))
    )
    await asyncio.sleep(0.01)
    assert not waiter.done()  # patience is measured on the clock port
    clock.advance(5)
    with pytest.raises(DedupInProgress):
        await waiter
    assert not helpdesk.tickets


async def test_all_field_errors_are_reported_at_once(handoff: OaHandoff) -> None:
    with pytest.raises(InvalidInput) as error:
        await handoff.execute(
            OaHandoffCommand(note="not a four line note", caller_number="555", confidence="2")
        )
    assert set(error.value.field_errors) == {"note", "callerNumber", "confidence"}


async def test_find_or_create_reads_a_note_shaped_description(
    find_or_create: FindOrCreateTicket,
) -> None:
    result = await find_or_create.execute(
        FindOrCreateTicketCommand(
            description="Category: Outage\nReason: TwoStepsNoResolve\nSummary: Complete outage\n"
            "Confidence: 0.95",
            oa_key="oa-x",
        )
    )
    again = await find_or_create.execute(
        FindOrCreateTicketCommand(description="Customer still has no service", oa_key="oa-x")
    )
    assert result.problem.category is Category.OUTAGE
    assert result.problem.confidence == "0.95"
    assert again.ticket == result.ticket
    assert not again.created


async def test_create_ticket_bypasses_dedup_and_keeps_metadata(helpdesk: MockHelpdesk) -> None:
    create = CreateTicket(helpdesk)
    command = CreateTicketCommand(
        description="Customer unable to connect to WiFi after router reset",
        caller_number="+12345678900",
        metadata={"plan": "fiber-500"},
    )
    first = await create.execute(command)
    second = await create.execute(command)
    assert first.ticket.id != second.ticket.id
    assert first.problem.category is Category.WIFI
    record = helpdesk.tickets[first.ticket.id]
    assert "plan: fiber-500" in record.new.body
    assert record.new.caller_number == "+12345678900"


async def test_create_ticket_refuses_a_broken_note_shaped_description(
    helpdesk: MockHelpdesk,
) -> None:
    with pytest.raises(InvalidInput) as error:
        await CreateTicket(helpdesk).execute(
            CreateTicketCommand(description="Category: WiFi\nthe rest is missing")
        )
    assert list(error.value.field_errors) == ["description"]
    assert not helpdesk.tickets


async def test_append_note_to_a_known_and_an_unknown_ticket(
    handoff: OaHandoff, helpdesk: MockHelpdesk
) -> None:
    ticket = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="n"))
    append = AppendNote(helpdesk)
    await append.execute(
        AppendNoteCommand(ticket.ticket.id, "Customer confirmed WiFi works now", "ISPN-Agent")
    )
    assert helpdesk.tickets[ticket.ticket.id].notes == [
        ("Customer confirmed WiFi works now", "ISPN-Agent")
    ]
    with pytest.raises(TicketNotFound):
        await append.execute(AppendNoteCommand("TKT-9999", "Customer confirmed it works"))
    with pytest.raises(InvalidInput) as error:
        await append.execute(AppendNoteCommand("   ", "Customer confirmed it works"))
    assert error.value.field_errors == {"ticketId": ["ticketId is required"]}


async def test_render_note_counts_characters_and_lines() -> None:
    result = await RenderNote().execute(
        RenderNoteCommand(
            Category.WIFI,
            EscalationReason.TWO_STEPS_NO_RESOLVE,
            "Customer unable to connect to WiFi",
            "0.85",
        )
    )
    assert result.note.startswith("Category: WiFi\nReason: TwoStepsNoResolve\n")
    assert (result.char_count, result.line_count) == (len(result.note), 4)


async def test_a_dedup_hit_indexes_the_new_conversation_key_too(
    handoff: OaHandoff, helpdesk: MockHelpdesk
) -> None:
    first = await handoff.execute(OaHandoffCommand(note=NOTE, caller_number="+14155552671"))
    await handoff.execute(
        OaHandoffCommand(note=NOTE, caller_number="+14155552671", oa_key="conv-2")
    )
    by_key_only = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="conv-2"))
    assert by_key_only.ticket.id == first.ticket.id
    assert not by_key_only.created
    assert len(helpdesk.tickets) == 1


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (TicketNotFound, "TICKET_NOT_FOUND"),
        (HelpdeskUnavailable, "HELPDESK_UNAVAILABLE"),
        (DedupInProgress, "DEDUP_IN_PROGRESS"),
        (InvalidInput, "VALIDATION_ERROR"),
    ],
)
def test_error_codes_are_the_wire_codes(error: type[DomainError], code: str) -> None:
    assert error.code == code


async def test_the_hand_off_and_find_or_create_file_one_ticket_per_problem(
    handoff: OaHandoff, find_or_create: FindOrCreateTicket, helpdesk: MockHelpdesk
) -> None:
    spoken = await handoff.execute(OaHandoffCommand(note=NOTE, oa_key="conv-7"))
    typed = await find_or_create.execute(
        FindOrCreateTicketCommand(description="The WiFi still drops", oa_key="conv-7")
    )
    assert (typed.created, typed.ticket) == (False, spoken.ticket)
    assert len(helpdesk.tickets) == 1
    assert helpdesk.tickets[spoken.ticket.id].new.source == "Webhook"


@pytest.mark.parametrize("source", [None, "", "  "])
async def test_an_absent_source_is_the_door_the_ticket_came_in_by(
    find_or_create: FindOrCreateTicket, helpdesk: MockHelpdesk, source: str | None
) -> None:
    result = await find_or_create.execute(
        FindOrCreateTicketCommand(description="No internet since this morning", source=source)
    )
    assert result.problem.source == helpdesk.tickets[result.ticket.id].new.source == "MCP"
