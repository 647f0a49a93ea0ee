"""Domain errors: one base carrying a stable ``code`` that every entrypoint maps the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

FORM_ERRORS = "_errors"
_UPPER_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def too_short(minimum: int) -> str:
    """Zod's wording for a lower length bound, which the spec's example error shows."""
    return f"String must contain at least {minimum} character(s)"


def too_long(maximum: int) -> str:
    """Zod's wording for an upper length bound."""
    return f"String must contain at most {maximum} character(s)"


class DomainError(Exception):
    """A rule of the domain was broken; ``code`` is the wire error code, ``details`` optional.

    A subclass's ``code`` is its name in upper snake case (``TicketNotFound`` ->
    ``TICKET_NOT_FOUND``) unless it sets one, so a new error is a class and a docstring.
    """

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = _UPPER_BOUNDARY.sub("_", cls.__name__).upper()

    def __init__(self, message: str, details: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Mapping[str, object] | None = details


class InvalidInput(DomainError):
    """Input broke a validation rule; ``field_errors`` maps each offending field to its messages.

    The wire shape is zod's ``format()``: ``{"field": {"_errors": ["..."]}}``, which the spec shows;
    errors about the input as a whole (malformed JSON) sit in a top-level ``"_errors"`` list.
    """

    code = "VALIDATION_ERROR"

    def __init__(self, field_errors: Mapping[str, Sequence[str]]) -> None:
        self.field_errors = {name: list(msgs) for name, msgs in field_errors.items()}
        details: dict[str, object] = {
            name: (msgs if name == FORM_ERRORS else {"_errors": msgs})
            for name, msgs in self.field_errors.items()
        }
        super().__init__("Invalid request payload", details)

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInput:
        """One field, one message: the common case for value objects."""
        return cls({field: [message]})

    def merged(self, other: InvalidInput) -> InvalidInput:
        """Both sets of field errors, so a caller sees every problem in one answer."""
        combined: dict[str, list[str]] = {k: list(v) for k, v in self.field_errors.items()}
        for name, msgs in other.field_errors.items():
            combined.setdefault(name, []).extend(msgs)
        return InvalidInput(combined)
