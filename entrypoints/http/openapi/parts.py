"""The building blocks of the OpenAPI document's paths: schema references, JSON content, the
RateLimit-* headers every gated answer carries, and the error answers by status for a list of
codes (from the one code -> status table)."""

from __future__ import annotations

from typing import Any

from entrypoints.wire.error_codes import STATUS_BY_CODE

REF_TEMPLATE = "#/components/schemas/{name}"


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(name=name)}


def json_content(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def rate_headers() -> dict[str, Any]:
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


def errors_for(codes: list[str]) -> dict[str, Any]:
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(STATUS_BY_CODE[code], []).append(code)
    return {
        str(status): {
            **json_content(ref("ErrorBody"), "Error: code " + " | ".join(names)),
            "headers": rate_headers(),
        }
        for status, names in sorted(by_status.items())
    }
