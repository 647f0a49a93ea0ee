"""Helpers shared by the e2e tests: payloads, HMAC signing, and the checks every answer passes."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from typing import Any

import httpx

from tests.support.e2e.processes import SECRET, TOKEN

HANDOFF = "/ingest/oa-handoff"
AUTH = {"x-auth-token": TOKEN}
JSON_HEADERS = {"content-type": "application/json"}
ERROR_KEYS = {"status", "code", "message", "details", "retryAfter"}
RATE_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
# The spec's 200 body, in its order, then "say" (the sentence for the caller, a superset of the
# spec); a queued hand-off (202) adds "queued" at the end.
HANDOFF_KEYS = [
    "status",
    "created",
    "ticketId",
    "ticketUrl",
    "category",
    "escalationReason",
    "confidence",
    "echo",
    "say",
]

_callers = itertools.count(1)


def unique(prefix: str = "oa") -> str:
    """A key no other test uses (tests share one process per module)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def unique_caller() -> str:
    """A valid, distinct US E.164 number per call (+1 234 567 xxxx)."""
    return f"+1234567{next(_callers) % 10_000:04d}"


def note(
    summary: str = "Customer unable to connect to WiFi",
    category: str = "WiFi",
    reason: str = "CallerRequested",
    confidence: str = "0.85",
) -> str:
    """The 4-line note."""
    return f"Category: {category}\nReason: {reason}\nSummary: {summary}\nConfidence: {confidence}"


def compact(payload: Any) -> bytes:
    """``JSON.stringify``: what the spec's signature example signs."""
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes, secret: str = SECRET, timestamp_ms: int | None = None) -> dict:
    """x-signature: sha256=<hex HMAC-SHA256(secret, timestamp + raw body)>, x-timestamp (ms)."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).hexdigest()
    return {
        "x-signature": f"sha256={digest}",
        "x-timestamp": timestamp,
        "content-type": "application/json",
    }


async def handoff(client: httpx.AsyncClient, payload: Any, **headers: str) -> httpx.Response:
    """POST a JSON payload with the shared token (extra headers as keyword arguments, ``_``
    for ``-``)."""
    extra = {name.replace("_", "-"): value for name, value in headers.items()}
    return await client.post(
        HANDOFF, content=compact(payload), headers={**AUTH, **JSON_HEADERS, **extra}
    )


def assert_no_traceback(response: httpx.Response) -> None:
    assert response.status_code < 500 or response.status_code == 503, response.text
    assert "Traceback" not in response.text
    assert 'File "' not in response.text


def assert_rate_headers(response: httpx.Response) -> None:
    for name in RATE_HEADERS:
        assert name in response.headers, f"{name} missing on {response.status_code}"
        assert response.headers[name].isdigit()


def assert_error(
    response: httpx.Response, status: int, code: str, *, rate_headers: bool = True
) -> dict[str, Any]:
    """The error envelope ``{"status":"error","code","message"[,"details"]}`` with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert_no_traceback(response)
    body = response.json()
    assert isinstance(body, dict)
    assert set(body) <= ERROR_KEYS, body
    assert body["status"] == "error"
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    if rate_headers:
        assert_rate_headers(response)
    return body


def assert_ok(response: httpx.Response) -> dict[str, Any]:
    """A 200 hand-off answer with exactly the spec's keys plus ``say`` (a sentence naming the
    ticket); returns the spec's part, to compare with the spec's examples."""
    assert response.status_code == 200, response.text
    assert_rate_headers(response)
    body = response.json()
    assert list(body) == HANDOFF_KEYS
    assert body["status"] == "ok"
    assert list(body["echo"]) == ["oaKey", "callerNumber"]
    assert body["ticketId"] in body.pop("say")
    return dict(body)


def ticket_number(ticket_id: str) -> int:
    assert ticket_id.startswith("TKT-"), ticket_id
    return int(ticket_id.removeprefix("TKT-"))
