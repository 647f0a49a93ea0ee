"""Every example of the integration guide, against a real process: exact bodies and ticket ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import yaml

from tests.support.e2e.requests import (
    HANDOFF,
    JSON_HEADERS,
    assert_error,
    assert_ok,
    handoff,
    note,
    unique,
    unique_caller,
)
from tests.support.paths import REPO_ROOT

pytestmark = pytest.mark.e2e

SPEC_TOKEN = "test-token-dev-only-change-in-production"
MINIMAL = {
    "note": "Category: WiFi\nReason: CallerRequested\nSummary: Customer unable to connect to "
    "WiFi\nConfidence: 0.85"
}
FULL = {
    "note": "Category: Outage\nReason: TwoStepsNoResolve\nSummary: Complete service outage "
    "affecting multiple customers\nConfidence: 0.95",
    "category": "Outage",
    "escalationReason": "TwoStepsNoResolve",
    "confidence": "0.95",
    "callerNumber": "+12345678900",
    "oaKey": "oa-12345",
    "source": "OutageAgent",
}
# Flow 1, step 3: the curl body, byte for byte (the \n are JSON escapes inside the string).
FLOW1_CURL_BODY = b"\n".join(
    [
        b"{",
        rb'       "note": "Category: WiFi\nReason: TwoStepsNoResolve\nSummary: Customer unable '
        rb'to connect after router reset\nConfidence: 0.85",',
        b'       "category": "WiFi",',
        b'       "escalationReason": "TwoStepsNoResolve",',
        b'       "confidence": "0.85",',
        b'       "callerNumber": "+12345678900",',
        b'       "oaKey": "oa-12345",',
        b'       "source": "OutageAgent"',
        b"     }",
    ]
)
# Troubleshooting, "Test Authentication": the curl body, byte for byte.
TROUBLESHOOTING_CURL_BODY = (
    rb'{"note":"Category: WiFi\nReason: CallerRequested\nSummary: Test\nConfidence: 0.85"}'
)
NEW_TICKET = {
    "status": "ok",
    "created": True,
    "ticketId": "TKT-1000",
    "ticketUrl": "https://helpdesk.example.com/tickets/1000",
    "category": "WiFi",
    "escalationReason": "CallerRequested",
    "confidence": "0.85",
    "echo": {"oaKey": "oa-12345", "callerNumber": "+12345678900"},
}


@pytest.fixture(scope="module")
def service(module_service_factory):
    """Shared by the tests that do not depend on ticket numbers."""
    return module_service_factory({"RATE_LIMIT_PER_SECOND": "100000"})


@pytest.fixture
def fresh(service_factory):
    """A new process per test: its first ticket is TKT-1000."""
    return service_factory({"RATE_LIMIT_PER_SECOND": "100000", "AUTH_TOKEN": SPEC_TOKEN})


async def spec_handoff(client, payload):
    return await client.post(
        HANDOFF, json=payload, headers={"x-auth-token": SPEC_TOKEN, **JSON_HEADERS}
    )


async def test_new_and_existing_ticket_bodies_are_exactly_the_spec_examples(fresh):
    payload = {
        "note": note(),
        "oaKey": "oa-12345",
        "callerNumber": "+12345678900",
        "category": "WiFi",
    }
    async with fresh.client() as client:
        first = await spec_handoff(client, payload)
        second = await spec_handoff(client, payload)

    assert assert_ok(first) == NEW_TICKET
    assert assert_ok(second) == {**NEW_TICKET, "created": False}


async def test_minimal_full_flow1_and_troubleshooting_examples(fresh):
    async with fresh.client() as client:
        minimal = await spec_handoff(client, MINIMAL)
        full = await spec_handoff(client, FULL)
        full_again = await spec_handoff(client, FULL)
        flow1 = await client.post(
            HANDOFF,
            content=FLOW1_CURL_BODY,
            headers={"x-auth-token": SPEC_TOKEN, "Content-Type": "application/json"},
        )
        troubleshooting = await client.post(
            HANDOFF,
            content=TROUBLESHOOTING_CURL_BODY,
            headers={"x-auth-token": SPEC_TOKEN, "Content-Type": "application/json"},
        )

    assert assert_ok(minimal) == {
        "status": "ok",
        "created": True,
        "ticketId": "TKT-1000",
        "ticketUrl": "https://helpdesk.example.com/tickets/1000",
        "category": "WiFi",
        "escalationReason": "CallerRequested",
        "confidence": "0.85",
        "echo": {"oaKey": None, "callerNumber": None},
    }
    expected_full = {
        "status": "ok",
        "created": True,
        "ticketId": "TKT-1001",
        "ticketUrl": "https://helpdesk.example.com/tickets/1001",
        "category": "Outage",
        "escalationReason": "TwoStepsNoResolve",
        "confidence": "0.95",
        "echo": {"oaKey": "oa-12345", "callerNumber": "+12345678900"},
    }
    assert assert_ok(full) == expected_full
    # Dedup: the same oaKey finds the open ticket.
    assert assert_ok(full_again) == {**expected_full, "created": False}
    # Flow 1's curl: same oaKey, so the agent is told about the existing ticket.
    assert assert_ok(flow1) == {
        **expected_full,
        "created": False,
        "category": "WiFi",
        "confidence": "0.85",
    }
    assert assert_ok(troubleshooting) == {
        "status": "ok",
        "created": True,
        "ticketId": "TKT-1002",
        "ticketUrl": "https://helpdesk.example.com/tickets/1002",
        "category": "WiFi",
        "escalationReason": "CallerRequested",
        "confidence": "0.85",
        "echo": {"oaKey": None, "callerNumber": None},
    }


async def test_flow3_dedup_scenario_same_caller_calls_back(service):
    caller, oa_key = unique_caller(), unique()
    payload = {"note": note(), "oaKey": oa_key, "callerNumber": caller, "category": "WiFi"}
    async with service.client() as client:
        first = assert_ok(await handoff(client, payload))
        second = assert_ok(await handoff(client, payload))

    assert first["created"] is True
    assert second["created"] is False
    assert second["ticketId"] == first["ticketId"]
    assert second["ticketUrl"] == first["ticketUrl"]
    assert second["echo"] == first["echo"] == {"oaKey": oa_key, "callerNumber": caller}


async def test_dedup_without_oa_key_uses_caller_and_category(service):
    caller = unique_caller()
    async with service.client() as client:
        first = assert_ok(await handoff(client, {"note": note(), "callerNumber": caller}))
        same = assert_ok(await handoff(client, {"note": note(), "callerNumber": caller}))
        other_category = assert_ok(
            await handoff(
                client,
                {"note": note("No service in the area", category="Outage"), "callerNumber": caller},
            )
        )

    assert (first["created"], same["created"]) == (True, False)
    assert same["ticketId"] == first["ticketId"]
    assert other_category["created"] is True
    assert other_category["ticketId"] != first["ticketId"]


def _recent(timestamp: str) -> bool:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


async def test_liveness_body(service):
    async with service.client() as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "service", "timestamp"]
    assert body["status"] == "ok"
    assert body["service"] == "ispn-helpdesk-bridge"
    assert _recent(body["timestamp"])


async def test_readiness_body_when_healthy(service):
    async with service.client() as client:
        response = await client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "service", "checks", "timestamp"]
    assert body["status"] == "ready"
    assert body["service"] == "ispn-helpdesk-bridge"
    # HELPDESK_DOWN_POLICY=queue (the default) reports the outbox too.
    assert body["checks"] == {"helpdesk": "healthy", "outbox": "healthy"}
    assert _recent(body["timestamp"])


async def test_unhealthy_helpdesk_readiness_and_handoff_with_the_fail_policy(service_factory):
    unhealthy = service_factory({"MOCK_HELPDESK_HEALTHY": "false", "HELPDESK_DOWN_POLICY": "fail"})
    async with unhealthy.client() as client:
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")
        with_keys = await handoff(client, {"note": note(), "oaKey": unique()})
        without_keys = await handoff(client, {"note": note()})

    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["service"] == "ispn-helpdesk-bridge"
    assert body["checks"] == {"helpdesk": "unhealthy"}
    assert alive.status_code == 200  # alive, just not ready
    for response in (with_keys, without_keys):
        assert_error(response, 503, "HELPDESK_UNAVAILABLE")
        assert response.headers["retry-after"].isdigit()


def test_schema_is_docs_openapi_yaml(service):
    document = REPO_ROOT / "docs" / "openapi.yaml"
    expected = yaml.safe_load(document.read_text(encoding="utf-8"))
    with httpx.Client(base_url=service.url, trust_env=False) as client:
        response = client.get("/schema")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == expected
    assert "/ingest/oa-handoff" in expected["paths"]


async def test_auth_required_example_body(service):
    async with service.client() as client:
        response = await client.post(HANDOFF, json=MINIMAL)

    assert assert_error(response, 401, "AUTH_REQUIRED") == {
        "status": "error",
        "code": "AUTH_REQUIRED",
        "message": "Authentication required (provide x-auth-token or x-signature + x-timestamp)",
    }


async def test_validation_error_example_bodies(service):
    async with service.client() as client:
        too_short = await handoff(client, {"note": "short"})
        missing = await handoff(client, {})

    assert assert_error(too_short, 400, "VALIDATION_ERROR") == {
        "status": "error",
        "code": "VALIDATION_ERROR",
        "message": "Invalid request payload",
        "details": {"note": {"_errors": ["String must contain at least 10 character(s)"]}},
    }
    assert assert_error(missing, 400, "VALIDATION_ERROR") == {
        "status": "error",
        "code": "VALIDATION_ERROR",
        "message": "Invalid request payload",
        "details": {"note": {"_errors": ["Required"]}},
    }
