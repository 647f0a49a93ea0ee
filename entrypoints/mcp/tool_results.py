"""How each MCP tool runs its use case and answers: the filing and look-up tools within
HANDOFF_DEADLINE_SECONDS (as the webhook and the status route), the filing ones with the
webhook's ``say`` sentence, and every Result mapped to its tool's output struct by the same
mapping the HTTP routes use, so both transports answer alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from application.filing.ticket_filing import FiledTicket
from application.timing.deadline import Deadline
from application.use_cases.append_note import AppendNoteResult
from application.use_cases.handoff_status import HandoffStatusResult
from application.use_cases.render_note import RenderNoteResult
from application.use_cases.ticket_status import TicketStatusResult
from entrypoints.bootstrap.container import Container
from entrypoints.mcp import contract as c
from entrypoints.wire.bodies import handoff_response, handoff_status_body
from entrypoints.wire.ticket_status import ticket_status_body

CommandT = TypeVar("CommandT")
ResultT = TypeVar("ResultT")
Execute = Callable[[CommandT], Awaitable[ResultT]]


def create_ticket_output(result: FiledTicket) -> c.ToolOutput:
    return c.CreateTicketOutput(
        success=True,
        ticket_id=result.ticket.id,
        ticket_url=result.ticket.url,
        category=result.problem.category,
        escalation_reason=result.problem.reason,
    )


def append_note_output(result: AppendNoteResult) -> c.ToolOutput:
    return c.AppendNoteOutput(
        success=True, message="Note appended successfully", ticket_id=result.ticket_id
    )


@dataclass(frozen=True)
class Spoken:
    """A filing tool's result with the sentence for the caller (``application.speech.handoff``)."""

    filed: FiledTicket
    say: str


def find_or_create_output(spoken: Spoken) -> c.ToolOutput:
    result = spoken.filed
    if result.queued:
        message = (
            "The helpdesk is unavailable: the request is kept and will become a ticket; "
            f"give the caller the reference {result.ticket.id}"
        )
    elif result.created:
        message = "New ticket created"
    else:
        message = "Existing ticket found (deduplication)"
    return c.FindOrCreateOutput(
        success=True,
        created=result.created,
        ticket_id=result.ticket.id,
        ticket_url=result.ticket.url,
        say=spoken.say,
        queued=True if result.queued else None,
        message=message,
    )


def get_handoff_output(result: HandoffStatusResult) -> c.ToolOutput:
    return c.HandoffStatusOutput(
        success=True, **msgspec.structs.asdict(handoff_status_body(result))
    )


def within_deadline(
    container: Container, execute: Callable[[Any, Deadline], Awaitable[ResultT]]
) -> Execute[Any, ResultT]:
    """A tool's call inside HANDOFF_DEADLINE_SECONDS from its start, as the webhook's (and the
    ticket-status route's): what the helpdesk cannot take in time is queued (a filing tool's
    success with the reference), a look-up it cannot answer in time is HELPDESK_UNAVAILABLE."""
    clock, seconds = container.clock(), container.settings().handoff_deadline_seconds

    async def run(command: Any) -> ResultT:
        return await execute(command, Deadline(clock, seconds))

    return run


def filing(
    container: Container, execute: Callable[[Any, Deadline], Awaitable[FiledTicket]]
) -> Execute[Any, Spoken]:
    """A filing tool's call within the deadline, its result with the webhook's ``say``."""
    say = container.say_templates()
    within = within_deadline(container, execute)

    async def run(command: Any) -> Spoken:
        result = await within(command)
        return Spoken(result, say.sentence(result))

    return run


def ticket_status_output(result: TicketStatusResult) -> c.ToolOutput:
    """The route's 200 body (one mapping for both transports), ``success`` for ``status``."""
    body = ticket_status_body(result)
    return c.TicketStatusOutput(success=True, tickets=body.tickets, say=body.say)


def render_note_output(result: RenderNoteResult) -> c.ToolOutput:
    return c.RenderNoteOutput(
        success=True, note=result.note, char_count=result.char_count, line_count=result.line_count
    )


def oa_handoff_output(spoken: Spoken) -> c.ToolOutput:
    """The webhook's 200 body (one mapping for both transports), ``success`` for ``status``."""
    fields = msgspec.structs.asdict(handoff_response(spoken.filed, spoken.say))
    del fields["status"]
    return c.OaHandoffOutput(success=True, **fields)
