"""Checks shared by the use cases: collect every field error of one input before refusing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec

from domain.errors import InvalidInput
from domain.note import (
    CONFIDENCE_MESSAGE,
    FREE_TEXT_MAX_CHARS,
    FREE_TEXT_MIN_CHARS,
    Note,
    infer_category,
    infer_confidence,
    infer_reason,
    is_valid_confidence,
    looks_like_note,
)
from domain.phone import CallerNumber, parse_caller_number
from domain.taxonomy import Category, EscalationReason

T = TypeVar("T")


class ProblemFields(msgspec.Struct, frozen=True, kw_only=True):
    """The optional fields every "file this problem" input shares (webhook and MCP tools)."""

    category: Category | None = None
    escalation_reason: EscalationReason | None = None
    confidence: str | None = None
    caller_number: str | None = None
    oa_key: str | None = None
    source: str | None = None


class Identity(msgspec.Struct, frozen=True):
    """The checked identifying fields of a problem."""

    caller_number: CallerNumber | None
    oa_key: str | None
    source: str | None
    confidence: str | None


MAX_KEY_CHARS = 128
MAX_SOURCE_CHARS = 64


def too_short(minimum: int) -> str:
    """Zod's wording, which the spec's example error shows."""
    return f"String must contain at least {minimum} character(s)"


def too_long(maximum: int) -> str:
    """Zod's wording for the upper bound."""
    return f"String must contain at most {maximum} character(s)"


class FieldErrors:
    """Accumulates ``InvalidInput`` field errors so one answer names every offending field."""

    def __init__(self) -> None:
        self._errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self._errors.setdefault(field, []).append(message)

    def attempt(self, parse: Callable[[], T]) -> T | None:
        """Run ``parse``; on ``InvalidInput`` keep its errors and return None."""
        try:
            return parse()
        except InvalidInput as error:
            for field, messages in error.field_errors.items():
                self._errors.setdefault(field, []).extend(messages)
            return None

    def text(self, field: str, value: str, minimum: int, maximum: int) -> None:
        """Length rule for free text, counted in characters as the spec counts them."""
        if len(value) < minimum:
            self.add(field, too_short(minimum))
        elif len(value) > maximum:
            self.add(field, too_long(maximum))

    def raise_if_any(self) -> None:
        if self._errors:
            raise InvalidInput(self._errors)


def caller_number(errors: FieldErrors, raw: str | None) -> CallerNumber | None:
    """Normalise an optional caller number, recording an error when it is not E.164."""
    if raw is None or raw == "":
        return None
    return errors.attempt(lambda: parse_caller_number(raw))


def optional_key(errors: FieldErrors, field: str, raw: str | None, maximum: int) -> str | None:
    """An optional identifier (oaKey, source): empty means absent, over-long is an error."""
    if raw is None:
        return None
    value = raw.strip()
    if not value:
        return None
    if len(value) > maximum:
        errors.add(field, too_long(maximum))
        return None
    return value


def identity(errors: FieldErrors, fields: ProblemFields) -> Identity:
    """Check caller number, oaKey, source and confidence, recording every error."""
    return Identity(
        caller_number=caller_number(errors, fields.caller_number),
        oa_key=optional_key(errors, "oaKey", fields.oa_key, MAX_KEY_CHARS),
        source=optional_key(errors, "source", fields.source, MAX_SOURCE_CHARS),
        confidence=confidence(errors, fields.confidence),
    )


def confidence(errors: FieldErrors, raw: str | None) -> str | None:
    """An optional confidence string, checked against the "0.0"-"1.0" rule."""
    if raw is None:
        return None
    if not is_valid_confidence(raw):
        errors.add("confidence", CONFIDENCE_MESSAGE)
        return None
    return raw


class Classified:
    """Category, reason, confidence and summary of a free-text description: read from a 4-line
    note when the text is one, guessed from keywords otherwise; explicit values always win."""

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
            note = _parse_note_as(errors, field, text)
        self.summary = note.summary if note else " ".join(text.split())
        self.category = category or (note.category if note else infer_category(text))
        self.reason = reason or (note.reason if note else infer_reason(text))
        self.confidence = explicit_confidence or (
            note.confidence if note else infer_confidence(text)
        )


def _parse_note_as(errors: FieldErrors, field: str, text: str) -> Note | None:
    """Parse a 4-line note, reporting its problems under ``field`` (``note`` or ``description``)."""
    try:
        return Note.parse(text)
    except InvalidInput as error:
        for messages in error.field_errors.values():
            for message in messages:
                errors.add(field, message)
        return None


FREE_TEXT_LIMITS = (FREE_TEXT_MIN_CHARS, FREE_TEXT_MAX_CHARS)
