"""Render the 4-line note from its parts, so an agent sends exactly what the webhook accepts."""

from __future__ import annotations

import msgspec

from domain.note import Note
from domain.taxonomy import Category, EscalationReason


class RenderNoteCommand(msgspec.Struct, frozen=True):
    category: Category
    escalation_reason: EscalationReason
    summary: str
    confidence: str


class RenderNoteResult(msgspec.Struct, frozen=True):
    note: str
    char_count: int
    line_count: int


class RenderNote:
    """Pure: no port, no side effect. The summary (<= 250, one line) and the confidence
    ("0.0"-"1.0") are checked; the result always fits the 350-character limit."""

    async def execute(self, command: RenderNoteCommand) -> RenderNoteResult:
        note = Note.create(
            command.category, command.escalation_reason, command.summary, command.confidence
        )
        text = note.render()
        return RenderNoteResult(text, len(text), text.count("\n") + 1)
