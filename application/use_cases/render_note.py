"""Render the 4-line note from its parts, so an agent sends exactly what the webhook accepts."""

from __future__ import annotations

import msgspec

from application.inputs.fields import CategoryName, Command, Confidence, ReasonName, Summary
from domain.note import Note


class RenderNoteCommand(Command, frozen=True):
    category: CategoryName
    escalation_reason: ReasonName
    summary: Summary
    confidence: Confidence


class RenderNoteResult(msgspec.Struct, frozen=True):
    note: str
    char_count: int
    line_count: int


class RenderNote:
    """Pure: no port, no side effect. ``Note`` checks the summary and the confidence, and a note
    made of valid parts always fits its length limit."""

    async def execute(self, command: RenderNoteCommand) -> RenderNoteResult:
        note = Note.create(
            command.category, command.escalation_reason, command.summary, command.confidence
        )
        text = note.render()
        return RenderNoteResult(text, len(text), text.count("\n") + 1)
