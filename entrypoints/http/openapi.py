"""The OpenAPI document, built from the same msgspec structs the app decodes and encodes.

Served at ``/schema`` (and ``/schema/openapi.json`` / ``.yaml``) and exported to
docs/openapi.yaml by ``helpdesk-bridge openapi``; a test fails when the two drift apart.
"""

from __future__ import annotations

from typing import Any

import msgspec

from entrypoints.boundary import (
    ErrorBody,
    HandoffPayload,
    HandoffResponse,
    HealthBody,
    ReadinessBody,
)
from entrypoints.http.errors import STATUS_BY_CODE

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


def build_openapi() -> dict[str, Any]:
    """The whole document as a plain dict (deterministic: same input, same output)."""
    _, components = msgspec.json.schema_components(
        [HandoffPayload, HandoffResponse, ErrorBody, HealthBody, ReadinessBody], ref_template=_REF
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
                    "security": [{"token": []}, {"hmac": [], "hmacTimestamp": []}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "maxLength": 255},
                            "description": "Same key + same payload within 15 min: the stored "
                            "response; different payload: 409.",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("HandoffPayload")}},
                    },
                    "responses": {
                        "200": {
                            **_json(_ref("HandoffResponse"), "The ticket (created or found)"),
                            "headers": _rate_headers(),
                        },
                        **_errors_for(handoff_errors),
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
                    "summary": "Readiness: the helpdesk (and shared store) answer",
                    "responses": {
                        "200": _json(_ref("ReadinessBody"), "Ready"),
                        "503": _json(_ref("ReadinessBody"), "A dependency is unhealthy"),
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
                    "description": "Unix time in milliseconds; within 5 minutes of the server's.",
                },
            },
        },
    }


def openapi_yaml() -> str:
    """The document as YAML (msgspec's encoder: stable key order, no extra dependency at run)."""
    return msgspec.yaml.encode(build_openapi()).decode()
