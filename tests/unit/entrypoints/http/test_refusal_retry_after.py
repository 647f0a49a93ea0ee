"""A refusal's Retry-After: the helpdesk's own wait when the error carries one (its 429/503
Retry-After, or the remembered one), so the header and the details say one number; else the
code's default pause."""

from __future__ import annotations

import json

import pytest

from application.errors import DedupInProgress, HelpdeskUnavailable, StoreUnavailable
from domain.errors import DomainError
from entrypoints.asgi.envelope import refusal


def _retry_after(headers: list[tuple[bytes, bytes]]) -> str | None:
    found = [value.decode() for name, value in headers if name == b"retry-after"]
    assert len(found) <= 1, headers
    return found[0] if found else None


@pytest.mark.parametrize(
    ("error", "header"),
    [
        (
            HelpdeskUnavailable("down", {"retryAfterSeconds": 30.0}, retry_after=30.0),
            "30",
        ),
        (HelpdeskUnavailable("asked to wait", retry_after=29.2), "30"),  # rounded up
        (HelpdeskUnavailable("asked to wait", retry_after=0.0), "1"),  # never "at once"
        (HelpdeskUnavailable("no answer"), "5"),  # the helpdesk gave no number: the default
        (StoreUnavailable("redis down"), "5"),
        (DedupInProgress("in flight"), "1"),
    ],
)
def test_the_header_says_the_errors_own_wait_else_the_codes_default(
    error: DomainError, header: str
) -> None:
    answer = refusal(error, [(b"x-request-id", b"r1")])
    assert answer.status == 503
    assert _retry_after(answer.headers) == header
    assert (b"x-request-id", b"r1") in answer.headers
    details = json.loads(answer.body).get("details") or {}
    if "retryAfterSeconds" in details:
        assert str(round(details["retryAfterSeconds"])) == header
