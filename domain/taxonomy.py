"""The closed vocabularies of a hand-off, spelled exactly as the wire (and the spec) spells them."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What the caller's problem is about."""

    OUTAGE = "Outage"
    WIFI = "WiFi"
    CGNAT = "CGNAT"
    WIRING = "Wiring"
    EQUIPMENT_RETURN = "EquipmentReturn"
    UNKNOWN = "Unknown"


class EscalationReason(StrEnum):
    """Why the AI agent handed the caller to a human."""

    CALLER_REQUESTED = "CallerRequested"
    TWO_STEPS_NO_RESOLVE = "TwoStepsNoResolve"
    OUT_OF_SCOPE = "OutOfScope"
    SAFETY_RISK = "SafetyRisk"
    BILLING_OR_ACCOUNT = "BillingOrAccount"
    OTHER = "Other"


class Source(StrEnum):
    """Where a ticket came from when the caller names no source of its own.

    The wire's ``source`` is a free label (an agent's name such as ``OutageAgent`` or ``ATOM``);
    these are the labels the bridge sets itself, so a ticket always says which door it came in by.
    """

    WEBHOOK = "Webhook"
    MCP = "MCP"


CATEGORY_VALUES: tuple[str, ...] = tuple(c.value for c in Category)
REASON_VALUES: tuple[str, ...] = tuple(r.value for r in EscalationReason)
