"""The OpenAPI document, built from the same msgspec structs the app decodes and encodes.

The request body is the hand-off command itself (its limits and descriptions come from the rule
table, ``application.inputs.fields``); the windows in the text come from the settings it is built
for. Served at ``/schema`` (and ``/schema/openapi.json`` / ``.yaml``) and exported to
docs/openapi.yaml by ``helpdesk-bridge openapi`` for the default settings; a test fails when the two
drift apart.
"""

from __future__ import annotations

from typing import Any

import msgspec

from application.inputs.fields import IdempotencyKey, spoken_duration
from application.inputs.idempotency_key import IDEMPOTENCY_KEY_HEADER
from application.use_cases.oa_handoff import OaHandoffCommand
from application.use_cases.ticket_status import TicketStatusCommand
from entrypoints.config.settings import Settings
from entrypoints.http.openapi.lookups import lookup_paths
from entrypoints.http.openapi.parts import (
    REF_TEMPLATE,
    errors_for,
    json_content,
    rate_headers,
    ref,
)
from entrypoints.http.openapi.post_call import SIGNATURE_SCHEME, post_call_paths
from entrypoints.http.post_call.payload import PostCallAnswer
from entrypoints.wire.bodies import (
    ErrorBody,
    HandoffResponse,
    HandoffStatusBody,
    HealthBody,
    ReadinessBody,
)
from entrypoints.wire.ticket_status import TicketStatusBody

VERSION = "0.1.0"


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
            PostCallAnswer,
        ],
        ref_template=REF_TEMPLATE,
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
                        "content": {"application/json": {"schema": ref(command)}},
                    },
                    "responses": {
                        "200": {
                            **json_content(ref("HandoffResponse"), "The ticket (created or found)"),
                            "headers": rate_headers(),
                        },
                        "202": {
                            **json_content(
                                ref("HandoffResponse"),
                                "Queued (HELPDESK_DOWN_POLICY=queue): the helpdesk could not take "
                                "it within the deadline of "
                                f"{spoken_duration(round(settings.handoff_deadline_seconds))}; it "
                                "is kept durably and filed when the helpdesk is back. status: "
                                "queued, queued: true, ticketId: the reference (HB-XXXXXX), "
                                "ticketUrl: /handoffs/{reference}; created: false for the same "
                                "problem queued already.",
                            ),
                            "headers": rate_headers(),
                        },
                        **errors_for(handoff_errors),
                    },
                }
            },
            **lookup_paths(),
            **post_call_paths(settings),
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "summary": "Liveness",
                    "responses": {"200": json_content(ref("HealthBody"), "Alive")},
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
                        "200": json_content(
                            ref("ReadinessBody"),
                            "ready; or degraded: the helpdesk is down but hand-offs are queued",
                        ),
                        "503": json_content(ref("ReadinessBody"), "Hand-offs cannot be accepted"),
                    },
                }
            },
        },
        "components": {
            "schemas": components,
            "securitySchemes": {
                **SIGNATURE_SCHEME,
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
