"""The OpenAPI paths of the read-only look-ups: a queued hand-off by its reference, and a
caller's tickets (by phone or id) for a caller who rings back."""

from __future__ import annotations

from typing import Any

from application.use_cases.ticket_status import MAX_CALLER_TICKETS, TicketStatusCommand
from entrypoints.http.openapi.parts import errors_for, json_content, rate_headers, ref


def lookup_paths() -> dict[str, Any]:
    return {
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
                        **json_content(ref("HandoffStatusBody"), "The hand-off's state"),
                        "headers": rate_headers(),
                    },
                    **errors_for(
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
                    "content": {"application/json": {"schema": ref(TicketStatusCommand.__name__)}},
                },
                "responses": {
                    "200": {
                        **json_content(ref("TicketStatusBody"), "The tickets found (maybe none)"),
                        "headers": rate_headers(),
                    },
                    **errors_for(
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
    }
