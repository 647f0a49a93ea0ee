"""``say``: the one sentence a voice agent can read to the caller after a hand-off.

A 200 (filed, or the open ticket found) and a 202 (queued: kept with an HB- reference) each have
a template an operator can change (``SAY_FILED_TEMPLATE``, ``SAY_QUEUED_TEMPLATE``), so the words
fit the helpdesk's promise ("a technician will call you within 2 hours") without a release.
A template's placeholders are checked when the settings are read (``template_rule``): only the
ones below, ``{{`` and ``}}`` for a literal brace, so formatting one can never fail.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from application.filing.problem import FiledTicket
from entrypoints.config.reader import shaped

if TYPE_CHECKING:
    from msgspec import Meta

    from entrypoints.config.settings import Settings

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


def template_rule(placeholder: str) -> Meta:
    """The setting's shape: text of 1-300 characters whose only placeholder is ``{placeholder}``."""
    length = rf"(?=[\s\S]{{1,{MAX_TEMPLATE_CHARS}}}$)"
    pattern = rf"^{length}(?:[^{{}}]|\{{\{{|\}}\}}|\{{{placeholder}\}})*$"
    return shaped(
        pattern,
        f"text of at most {MAX_TEMPLATE_CHARS} characters whose only placeholder is "
        f"{{{placeholder}}} (write {{{{ and }}}} for a literal brace)",
    )


class SayTemplates:
    """The two templates, checked at start-up; ``sentence`` fills the one a result needs."""

    __slots__ = ("_filed", "_queued")

    def __init__(self, filed: str = DEFAULT_FILED, queued: str = DEFAULT_QUEUED) -> None:
        for template, placeholder in ((filed, FILED_PLACEHOLDER), (queued, QUEUED_PLACEHOLDER)):
            if not re.match(str(template_rule(placeholder).pattern), template):
                raise ValueError(f"not a say template with {{{placeholder}}}: {template!r}")
        self._filed = filed
        self._queued = queued

    @classmethod
    def from_settings(cls, settings: Settings) -> SayTemplates:
        return cls(settings.say_filed_template, settings.say_queued_template)

    def sentence(self, result: FiledTicket) -> str:
        """What to tell the caller: the ticket number (or the queued reference) and what next."""
        if result.queued:
            return self._queued.format(reference=result.ticket.id)
        return self._filed.format(ticket_id=result.ticket.id)
