"""Domain checks shared by the use cases: collect every field error of one input before refusing.

Types and limits were enforced when the command was decoded (``application.inputs.fields``); what is
checked here is what a schema cannot say: a caller number's plan, a note's shape, a confidence
given by a Python caller, and the normalising rules (an empty key means absent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec

from application.inputs.fields import ProblemFields
from application.inputs.precedence import resolve_labels
from domain.errors import InvalidInput
from domain.note import (
    CONFIDENCE_MESSAGE,
    Note,
    infer_confidence,
    is_valid_confidence,
    looks_like_note,
)
from domain.phone import CallerNumber, parse_caller_number
from domain.taxonomy import Category, EscalationReason

T = TypeVar("T")


class Identity(msgspec.Struct, frozen=True):
    """The checked identifying fields of a problem."""

    caller_number: CallerNumber | None
    oa_key: str | None
    source: str | None
    confidence: str | None


class FieldErrors:
    """Accumulates ``InvalidInput`` field errors so one answer names every offending field."""

    def __init__(self) -> None:
        self._errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self._errors.setdefault(field, []).append(message)

    def attempt(self, parse: Callable[[], T], field: str | None = None) -> T | None:
        """Run ``parse``; on ``InvalidInput`` keep its errors (all under ``field`` when given)
        and return None."""
        try:
            return parse()
        except InvalidInput as error:
            for name, messages in error.field_errors.items():
                self._errors.setdefault(field or name, []).extend(messages)
            return None

    def joined(self, first: InvalidInput) -> InvalidInput:
        """``first``'s errors, then the ones recorded here: one refusal naming all of them."""
        return first.merged(InvalidInput(self._errors)) if self._errors else first

    def raise_if_any(self) -> None:
        if self._errors:
            raise InvalidInput(self._errors)


def present(raw: str | None) -> str | None:
    """An optional free label (oaKey, source, author) stripped; empty means absent."""
    if raw is None:
        return None
    return raw.strip() or None


def caller_number(
    errors: FieldErrors, raw: str | None, region: str | None = None
) -> CallerNumber | None:
    """Normalise an optional caller number, recording an error when it names no phone; a
    national number is read in ``region`` (the default phone region) when there is one."""
    if raw is None or raw == "":
        return None
    return errors.attempt(lambda: parse_caller_number(raw, region))


def confidence(errors: FieldErrors, raw: str | None) -> str | None:
    """An optional confidence string, checked against the "0.0"-"1.0" rule."""
    if raw is None:
        return None
    if not is_valid_confidence(raw):
        errors.add("confidence", CONFIDENCE_MESSAGE)
        return None
    return raw


def identity(
    errors: FieldErrors, fields: ProblemFields, phone_region: str | None = None
) -> Identity:
    """Check caller number and confidence and drop empty keys, recording every error."""
    return Identity(
        caller_number=caller_number(errors, fields.caller_number, phone_region),
        oa_key=present(fields.oa_key),
        source=present(fields.source),
        confidence=confidence(errors, fields.confidence),
    )


class Classified:
    """Category, reason, confidence and summary of a free-text description: read from a 4-line
    note when the text is one, guessed from keywords otherwise; explicit values always win
    (``application.inputs.precedence``)."""

    __slots__ = ("category", "confidence", "reason", "summary")

    def __init__(
        self,
        text: str,
        category: Category | None,
        reason: EscalationReason | None,
        explicit_confidence: str | None,
        errors: FieldErrors,
        field: str,
    ) -> None:
        note: Note | None = None
        if looks_like_note(text):
            note = errors.attempt(lambda: Note.parse(text), field)
        self.summary = note.summary if note else " ".join(text.split())
        labels = resolve_labels(
            category,
            reason,
            explicit_confidence,
            note=note,
            text=text,
            infer_confidence=infer_confidence,
        )
        self.category = labels.category
        self.reason = labels.reason
        self.confidence = labels.confidence
