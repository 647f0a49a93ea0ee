"""The ElevenLabs webhook tools that call the bridge, as bodies of ``POST /v1/convai/tools``.

An ElevenLabs agent reaches the bridge through a webhook ("server") tool: a URL, a method, headers
(our ``x-auth-token`` as a workspace secret: a tool cannot sign a body per request) and a body
schema whose properties the agent's LLM fills from their descriptions, or the platform fills from
dynamic variables (``system__conversation_id``, ``system__caller_id``). Writing that JSON by hand
drifts from the bridge: the category names, the limits and the deadline live here, in the domain
and in the settings, so the tool is generated from them (``helpdesk-bridge elevenlabs tool``).

Two tools: ``handoff`` files the hand-off (``POST /ingest/oa-handoff``) and stores the answer's
``ticketId`` in the dynamic variable ``ticket_id``; ``status`` reads the caller's tickets
(``POST /ingest/ticket-status``). Both answers carry ``say``, the sentence the agent reads out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, Literal

from application.inputs.fields import spoken_duration
from domain.note import SUMMARY_MAX_CHARS
from domain.taxonomy import Category, EscalationReason

Kind = Literal["handoff", "status"]
KINDS: Final[tuple[Kind, ...]] = ("handoff", "status")

HANDOFF_PATH: Final = "/ingest/oa-handoff"
STATUS_PATH: Final = "/ingest/ticket-status"
DEFAULT_NAMES: Final[Mapping[Kind, str]] = {
    "handoff": "file_helpdesk_ticket",
    "status": "check_ticket_status",
}
SOURCE_LABEL: Final = "ElevenLabs"
"""The ``source`` constant of the hand-off: which door a ticket came in by."""
TICKET_ID_VARIABLE: Final = "ticket_id"
"""The dynamic variable the hand-off's answer ``ticketId`` is copied into (``{{ticket_id}}``)."""
SECRET_PLACEHOLDER: Final = "REPLACE_WITH_THE_SECRET_ID_OF_AUTH_TOKEN"  # noqa: S105 - not one
"""Stands for the workspace secret when no ``--secret-id`` is given: ElevenLabs refuses a tool
whose secret does not exist, so a forgotten replacement fails loudly instead of calling us."""

# ElevenLabs' bounds for response_timeout_secs (tool-request.schema.json).
MIN_TIMEOUT_SECONDS: Final = 5
MAX_TIMEOUT_SECONDS: Final = 120
NETWORK_MARGIN_SECONDS: Final = 2.0
"""Added to HANDOFF_DEADLINE_SECONDS (counted from the request's arrival) for the trip from
ElevenLabs to the bridge and back, so the agent never gives up on an answer that is on its way."""

# What each value of the taxonomy means to the agent; values are named from the enums, so a new
# category or reason fails the test of this module until it is explained here.
CATEGORY_MEANINGS: Final[Mapping[Category, str]] = {
    Category.OUTAGE: "no service at all, or an outage in the caller's area",
    Category.WIFI: "the home wireless network: weak signal, cannot connect, forgotten password",
    Category.CGNAT: (
        "shared public address problems: port forwarding, game servers, cameras or VPNs that "
        "cannot be reached from outside"
    ),
    Category.WIRING: "cables, wall jacks or other physical wiring at the premises",
    Category.EQUIPMENT_RETURN: "returning, exchanging or collecting a router or other equipment",
    Category.UNKNOWN: "none of the above fits",
}
REASON_MEANINGS: Final[Mapping[EscalationReason, str]] = {
    EscalationReason.CALLER_REQUESTED: "the caller asked for a person",
    EscalationReason.TWO_STEPS_NO_RESOLVE: "two troubleshooting steps did not fix the problem",
    EscalationReason.OUT_OF_SCOPE: "the request is outside what you can do",
    EscalationReason.SAFETY_RISK: (
        "any danger such as sparks, smoke, a burning smell or exposed wiring; file at once"
    ),
    EscalationReason.BILLING_OR_ACCOUNT: "billing, payments or changes to the account",
    EscalationReason.OTHER: "any other reason",
}


def response_timeout_seconds(deadline_seconds: float) -> int:
    """How long the agent waits for the bridge: the hand-off deadline plus the network margin,
    rounded up, within ElevenLabs' 5-120 s (a deadline above 118 s cannot fit; see the CLI)."""
    wanted = math.ceil(deadline_seconds + NETWORK_MARGIN_SECONDS)
    return max(MIN_TIMEOUT_SECONDS, min(MAX_TIMEOUT_SECONDS, wanted))


def fits_timeout(deadline_seconds: float) -> bool:
    """Whether the deadline plus the margin fits the longest timeout ElevenLabs allows."""
    return deadline_seconds + NETWORK_MARGIN_SECONDS <= MAX_TIMEOUT_SECONDS


def tool_request(
    kind: Kind,
    base_url: str,
    *,
    secret_id: str | None = None,
    name: str | None = None,
    deadline_seconds: float,
    dedup_window_seconds: int,
) -> dict[str, Any]:
    """The JSON body of ``POST /v1/convai/tools`` for one tool of the bridge at ``base_url``."""
    base = base_url.rstrip("/")
    headers = {"x-auth-token": {"secret_id": secret_id or SECRET_PLACEHOLDER}}
    timeout = response_timeout_seconds(deadline_seconds)
    config = _handoff(base, dedup_window_seconds) if kind == "handoff" else _status(base)
    config["api_schema"]["request_headers"] = headers
    tool = {
        "type": "webhook",
        "name": name or DEFAULT_NAMES[kind],
        "description": config.pop("description"),
        "response_timeout_secs": timeout,
        "force_pre_tool_speech": True,
        **config,
    }
    return {"tool_config": tool}


def _listing(meanings: Mapping[Any, str]) -> str:
    return "; ".join(f"{value.value} ({meaning})" for value, meaning in meanings.items())


def _handoff(base: str, dedup_window_seconds: int) -> dict[str, Any]:
    window = spoken_duration(dedup_window_seconds)
    return {
        "description": (
            "Files a helpdesk ticket so a human technician follows up with the caller. Call it "
            "once, as soon as the caller needs a person: they ask for one, two troubleshooting "
            "steps have not solved the problem, the request is out of your scope, it is about "
            "billing or the account, or there is any safety risk (then at once). Tell the caller "
            "you are filing the ticket before you call it; it can take a few seconds. The answer "
            "has a 'say' sentence: read it to the caller as it is; it gives the ticket number, "
            "or a reference starting with HB- when the helpdesk is slow (the request is kept and "
            "still becomes a ticket). Offer to repeat the number. Calling again about the same "
            f"problem within {window} returns the same ticket, so never file twice in one call. "
            "If the tool fails, apologise and offer to try again in a moment."
        ),
        "assignments": [
            {"source": "response", "dynamic_variable": TICKET_ID_VARIABLE, "value_path": "ticketId"}
        ],
        "api_schema": {
            "url": base + HANDOFF_PATH,
            "method": "POST",
            "request_body_schema": {
                "type": "object",
                "description": "The caller's problem, for the technician who calls back.",
                "required": ["summary", "category", "escalationReason", "confidence"],
                "properties": {
                    "summary": {
                        "type": "string",
                        "description": (
                            "The caller's problem and what was already tried, in one plain "
                            f"sentence of at most {SUMMARY_MAX_CHARS} characters without line "
                            "breaks, e.g. 'Customer unable to connect to WiFi after router "
                            "reset'. No phone numbers, passwords or card numbers."
                        ),
                    },
                    "category": {
                        "type": "string",
                        "enum": [category.value for category in Category],
                        "description": (
                            "What the problem is about, exactly one of: "
                            f"{_listing(CATEGORY_MEANINGS)}."
                        ),
                    },
                    "escalationReason": {
                        "type": "string",
                        "enum": [reason.value for reason in EscalationReason],
                        "description": (
                            "Why the caller needs a person, exactly one of: "
                            f"{_listing(REASON_MEANINGS)}."
                        ),
                    },
                    "confidence": {
                        "type": "number",
                        "description": (
                            "How sure you are of the category and summary, a number from 0 to 1 "
                            "(e.g. 0.85; 0.5 when unsure)."
                        ),
                    },
                    "oaKey": {"type": "string", "dynamic_variable": "system__conversation_id"},
                    "callerNumber": {"type": "string", "dynamic_variable": "system__caller_id"},
                    "source": {"type": "string", "constant_value": SOURCE_LABEL},
                },
            },
        },
    }


def _status(base: str) -> dict[str, Any]:
    return {
        "description": (
            "Looks up the caller's helpdesk tickets and where each one stands (open, pending, "
            "solved, or still queued). Call it when the caller asks about a ticket, a repair or "
            "a technician visit they already reported, or quotes a ticket number. The caller's "
            "phone number is sent for you; on a web call there is none, so ask for the ticket "
            "number first. Read the answer's 'say' sentence to the caller. If it finds nothing "
            "and the caller still needs help, offer to file a new ticket."
        ),
        "api_schema": {
            "url": base + STATUS_PATH,
            "method": "POST",
            "request_body_schema": {
                "type": "object",
                "description": "Which tickets to look up: the caller's, or the one they quote.",
                "properties": {
                    "ticketId": {
                        "type": "string",
                        "description": (
                            "Only when the caller quotes a ticket number or reference: the "
                            "ticket number as they say it (e.g. 1042), or a reference of HB- and "
                            "six letters or digits (e.g. HB-7KQ2MX). Leave it out otherwise."
                        ),
                    },
                    "callerNumber": {"type": "string", "dynamic_variable": "system__caller_id"},
                },
            },
        },
    }
