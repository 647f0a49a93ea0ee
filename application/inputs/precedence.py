"""The one precedence rule for a problem's labels (category, escalation reason, confidence): the
value given explicitly wins, then the one the 4-line note states, then the one inferred from the
text. The hand-off (note or summary) and the tools' free-text descriptions all resolve their
labels here, so the rule cannot drift between transports or use cases.

What "inferred" means for a confidence is the caller's: a description is searched for a
``Confidence: x``; a hand-off's summary is not, and its written note says nobody vouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import msgspec

from domain.note import Note, infer_category, infer_reason
from domain.taxonomy import Category, EscalationReason

C = TypeVar("C", str, str | None)  # a confidence: always one, or maybe none


class Labels(msgspec.Struct, Generic[C], frozen=True):
    """A problem's labels, each from the first source that has it."""

    category: Category
    reason: EscalationReason
    confidence: C


def resolve_labels(
    category: Category | None,
    reason: EscalationReason | None,
    confidence: str | None,
    *,
    note: Note | None,
    text: str,
    infer_confidence: Callable[[str], C],
) -> Labels[C]:
    """The explicit ``category`` / ``reason`` / ``confidence`` where given, else ``note``'s, else
    inferred from ``text`` (only when there is no note: a note states every label)."""
    if note is not None:
        return Labels(
            category or note.category, reason or note.reason, confidence or note.confidence
        )
    return Labels(
        category or infer_category(text),
        reason or infer_reason(text),
        confidence or infer_confidence(text),
    )
