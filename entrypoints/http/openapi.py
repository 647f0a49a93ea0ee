"""The OpenAPI document, built from the same msgspec structs the app decodes and encodes.

The request body is the hand-off command itself (its limits and descriptions come from the rule
table, ``application.fields``); the windows in the text come from the settings it is built for.
Served at ``/schema`` (and ``/schema/openapi.json`` / ``.yaml``) and exported to
docs/openapi.yaml by ``helpdesk-bridge openapi`` for the default settings; a test fails when the
two drift apart.
"""

from __future__ import annotations

from typing import Any

import msgspec

from application.fields import IdempotencyKey, spoken_duration
from application.idempotency import IDEMPOTENCY_KEY_HEADER
from application.oa_handoff import OaHandoffCommand
from application.ticket_status import MAX_CALLER_TICKETS, TicketStatusCommand
from entrypoints.boundary import (
    ErrorBody,
    HandoffResponse,
    HandoffStatusBody,
    HealthBody,
    ReadinessBody,
)
from entrypoints.error_codes import STATUS_BY_CODE
from entrypoints.settings import Settings
from entrypoints.status_boundary import TicketStatusBody

VERSION = "0.1.0"
_REF = "#/components/schemas/{name}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(name=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _rate_headers() -> dict[str, Any]:
    integer = {"schema": {"type": "integer"}}
    return {
        "RateLimit-Limit": {"description": "Requests allowed per window (1 s)", **integer},
        "RateLimit-Remaining": {"description": "Requests left in this window", **integer},
        "RateLimit-Reset": {"description": "Seconds until the window resets", **integer},
        "X-Request-ID": {
            "description": "Echoed or generated request id",
            "schema": {"type": "string"},
        },
    }


def _errors_for(codes: list[str]) -> dict[str, Any]:
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(STATUS_BY_CODE[code], []).append(code)
    return {
        str(status): {
            **_json(_ref("ErrorBody"), "Error: code " + " | ".join(names)),
            "headers": _rate_headers(),
        }
        for status, names in sorted(by_status.items())
    }


def build_openapi(settings: Settings | None = None) -> dict[str, Any]:
    """The whole document for ``settings`` (the defaults when None) as a plain dict
    (deterministic: same settings, same document)."""
    settings = settings or Settings()
    command = OaHandoffCommand.__name__
    _, components = msgspec.json.schema_components(
        [
            OaHandoffCommand,
            HandoffResponse,
            HandoffStatusBody,
            TicketStatusCommand,
            TicketStatusBody,
            ErrorBody,
            HealthBody,
            ReadinessBody,
        ],
        ref_template=_REF,
    )
    handoff_errors = [
        "VALIDATION_ERROR",
        "AUTH_REQUIRED",
        "AUTH_FAILED",
        "REPLAY_DETECTED",
        "IDEMPOTENCY_CONFLICT",
        "IDEMPOTENCY_IN_PROGRESS",
        "PAYLOAD_TOO_LARGE",
        "UNSUPPORTED_MEDIA_TYPE",
        "RATE_LIMIT_EXCEEDED",
        "INTERNAL_ERROR",
        "HELPDESK_BAD_RESPONSE",
        "HELPDESK_UNAVAILABLE",
        "STORE_UNAVAILABLE",
        "DEDUP_IN_PROGRESS",
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "helpdesk-bridge",
            "version": VERSION,
            "description": "Turns AI-agent escalations into helpdesk tickets, one per problem.",
        },
        "paths": {
            "/ingest/oa-handoff": {
                "post": {
                    "operationId": "oaHandoff",
                    "summary": "Find the caller's open ticket for this problem, or create one",
                    "description": "The same problem - the same oaKey, else the same "
                    "callerNumber and category - within "
                    f"{spoken_duration(settings.dedup_ttl_seconds)} of its ticket's creation "
                    "is answered with that ticket (created: false).",
                    "security": [{"token": []}, {"hmac": [], "hmacTimestamp": []}],
                    "parameters": [
                        {
                            "name": IDEMPOTENCY_KEY_HEADER,
                            "in": "header",
                            "required": False,
                            "schema": msgspec.json.schema(IdempotencyKey),
                            "description": "Same key + same payload within "
                            f"{spoken_duration(settings.idempotency_ttl_seconds)}: the stored "
                            "response; different payload: 409.",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(command)}},
                    },
                    "responses": {
                        "200": {
                            **_json(_ref("HandoffResponse"), "The ticket (created or found)"),
                            "headers": _rate_headers(),
                        },
                        "202": {
                            **_json(
                                _ref("HandoffResponse"),
                                "Queued (HELPDESK_DOWN_POLICY=queue): the helpdesk could not take "
                                "it within the deadline of "
                                f"{spoken_duration(round(settings.handoff_deadline_seconds))}; it "
                                "is kept durably and filed when the helpdesk is back. status: "
                                "queued, queued: true, ticketId: the reference (HB-XXXXXX), "
                                "ticketUrl: /handoffs/{reference}; created: false for the same "
                                "problem queued already.",
                            ),
                            "headers": _rate_headers(),
                        },
                        **_errors_for(handoff_errors),
                    },
                }
            },
            "/handoffs/{reference}": {
                "get": {
                    "operationId": "getHandoff",
                    "summary": "Where a queued hand-off is: queued, delivered (its ticket) or dead",
                    "security": [{"token": []}, {"hmac": [], "hmacTimestamp": []}],
                    "parameters": [
                        {
                            "name": "reference",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "examples": ["HB-7KQ2MX"]},
                        }
                    ],
                    "responses": {
                        "200": {
                            **_json(_ref("HandoffStatusBody"), "The hand-off's state"),
                            "headers": _rate_headers(),
                        },
                        **_errors_for(
                            [
                                "AUTH_REQUIRED",
                                "AUTH_FAILED",
                                "NOT_FOUND",
                                "RATE_LIMIT_EXCEEDED",
                                "STORE_UNAVAILABLE",
                            ]
                        ),
                    },
                }
            },
            "/ingest/ticket-status": {
                "post": {
                    "operationId": "ticketStatus",
                    "summary": "A caller's tickets by phone number, or one ticket by its id",
                    "description": "By callerNumber: the caller's tickets that are not closed, "
                    f"newest first, at most {MAX_CALLER_TICKETS}. By ticketId (a helpdesk id or "
                    "a queued hand-off's HB- reference; with both fields, ticketId is used): "
                    "that ticket, whatever its state. Nothing found is a 200 with no tickets. "
                    "Only the state, subject and times of a ticket are answered, and say: one "
                    "or two sentences for a voice agent to read out.",
                    "security": [{"token": []}, {"hmac": [], "hmacTimestamp": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": _ref(TicketStatusCommand.__name__)}
                        },
                    },
                    "responses": {
                        "200": {
                            **_json(_ref("TicketStatusBody"), "The tickets found (maybe none)"),
                            "headers": _rate_headers(),
                        },
                        **_errors_for(
                            [
                                "VALIDATION_ERROR",
                                "AUTH_REQUIRED",
                                "AUTH_FAILED",
                                "REPLAY_DETECTED",
                                "PAYLOAD_TOO_LARGE",
                                "UNSUPPORTED_MEDIA_TYPE",
                                "RATE_LIMIT_EXCEEDED",
                                "INTERNAL_ERROR",
                                "HELPDESK_BAD_RESPONSE",
                                "HELPDESK_UNAVAILABLE",
                                "STORE_UNAVAILABLE",
                            ]
                        ),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "summary": "Liveness",
                    "responses": {"200": _json(_ref("HealthBody"), "Alive")},
                }
            },
            "/metrics": {
                "get": {
                    "operationId": "metrics",
                    "summary": "Prometheus metrics of this process (text exposition 0.0.4)",
                    "responses": {
                        "200": {
                            "description": "Counters and histograms",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
            "/readyz": {
                "get": {
                    "operationId": "readyz",
                    "summary": "Readiness: the bridge can accept hand-offs",
                    "responses": {
                        "200": _json(
                            _ref("ReadinessBody"),
                            "ready; or degraded: the helpdesk is down but hand-offs are queued",
                        ),
                        "503": _json(_ref("ReadinessBody"), "Hand-offs cannot be accepted"),
                    },
                }
            },
        },
        "components": {
            "schemas": components,
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "x-auth-token"},
                "hmac": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-signature",
                    "description": "sha256=<hex HMAC-SHA256(secret, x-timestamp + raw body)>",
                },
                "hmacTimestamp": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-timestamp",
                    "description": "Unix time in milliseconds; within "
                    f"{spoken_duration(settings.hmac_tolerance_seconds)} of the server's.",
                },
            },
        },
    }


def openapi_yaml(settings: Settings | None = None) -> str:
    """The document as YAML (msgspec's encoder: stable key order, no extra dependency at run)."""
    return msgspec.yaml.encode(build_openapi(settings)).decode()
