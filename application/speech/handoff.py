"""``say``: the one sentence a voice agent can read to the caller after a hand-off.

A 200 (filed, or the open ticket found) and a 202 (queued: kept with an HB- reference) each have
a template an operator can change (``SAY_FILED_TEMPLATE``, ``SAY_QUEUED_TEMPLATE``), so the words
fit the helpdesk's promise ("a technician will call you within 2 hours") without a release.
A template may hold only its one placeholder, ``{{`` and ``}}`` for a literal brace, so filling
one can never fail; the settings check the same pattern when they are read, and the composition
root builds the templates once.
"""

from __future__ import annotations

import re

from application.filing.problem import FiledTicket

MAX_TEMPLATE_CHARS = 300
FILED_PLACEHOLDER = "ticket_id"
QUEUED_PLACEHOLDER = "reference"
DEFAULT_FILED = (
    "I have passed this to our support team as ticket {ticket_id}, and a technician will "
    "contact you about it."
)
DEFAULT_QUEUED = (
    "I have saved your request under reference {reference}; it reaches our support team as "
    "soon as their system is back, and a technician will contact you."
)


def template_pattern(placeholder: str) -> str:
    """Text of 1-300 characters whose only placeholder is ``{placeholder}`` (a regex)."""
    length = rf"(?=[\s\S]{{1,{MAX_TEMPLATE_CHARS}}}$)"
    return rf"^{length}(?:[^{{}}]|\{{\{{|\}}\}}|\{{{placeholder}\}})*$"


def template_rule_text(placeholder: str) -> str:
    """The pattern's rule in words (a refused setting's message)."""
    return (
        f"text of at most {MAX_TEMPLATE_CHARS} characters whose only placeholder is "
        f"{{{placeholder}}} (write {{{{ and }}}} for a literal brace)"
    )


class SayTemplates:
    """The two templates, checked when made; ``sentence`` fills the one a result needs."""

    __slots__ = ("_filed", "_queued")

    def __init__(self, filed: str = DEFAULT_FILED, queued: str = DEFAULT_QUEUED) -> None:
        for template, placeholder in ((filed, FILED_PLACEHOLDER), (queued, QUEUED_PLACEHOLDER)):
            if not re.match(template_pattern(placeholder), template):
                raise ValueError(f"not a say template with {{{placeholder}}}: {template!r}")
        self._filed = filed
        self._queued = queued

    def sentence(self, result: FiledTicket) -> str:
        """What to tell the caller: the ticket number (or the queued reference) and what next."""
        if result.queued:
            return self._queued.format(reference=result.ticket.id)
        return self._filed.format(ticket_id=result.ticket.id)
