"""The generated ElevenLabs webhook tools: valid against ElevenLabs' own request schema, pointed at
the bridge's routes, authenticated by a workspace secret, each body property filled from one
source, and worded from the project's taxonomy, limits and settings."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.note import SUMMARY_MAX_CHARS
from domain.taxonomy import Category, EscalationReason
from entrypoints.cli.elevenlabs_tool import (
    CATEGORY_MEANINGS,
    KINDS,
    MAX_TIMEOUT_SECONDS,
    MIN_TIMEOUT_SECONDS,
    NETWORK_MARGIN_SECONDS,
    REASON_MEANINGS,
    SECRET_PLACEHOLDER,
    Kind,
    fits_timeout,
    response_timeout_seconds,
    tool_request,
)
from entrypoints.http.app import HANDOFF_PATH
from tests.support.elevenlabs import schema_errors

BASE = "https://bridge.example.com"
SOURCES = ("description", "dynamic_variable", "constant_value")


def generated(kind: Kind, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "secret_id": "sec_123",
        "deadline_seconds": 10.0,
        "dedup_window_seconds": 14_400,
    }
    arguments.update(overrides)
    return tool_request(kind, BASE, **arguments)


def body_properties(tool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    properties: dict[str, dict[str, Any]] = tool["tool_config"]["api_schema"][
        "request_body_schema"
    ]["properties"]
    return properties


def value_source(prop: dict[str, Any]) -> str:
    """The one source that fills a property (the test fails if there are several or none)."""
    given_sources = [name for name in SOURCES if prop.get(name) not in (None, "")]
    assert len(given_sources) == 1, f"{prop} must have exactly one value source"
    return given_sources[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("secret_id", ["sec_123", None])
def test_valid_against_elevenlabs_schema(kind: Kind, secret_id: str | None) -> None:
    tool = generated(kind, secret_id=secret_id)
    assert schema_errors(tool) == []
    assert schema_errors(tool["tool_config"], "WebhookToolConfig-Input") == []


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        (lambda c: c.update(response_timeout_secs=4), "response_timeout_secs"),
        (lambda c: c.update(name="file ticket"), "name"),
        (lambda c: c["api_schema"].update(method="SEND"), "api_schema/method"),
        (lambda c: c["api_schema"]["request_body_schema"].update(extra=1), "request_body_schema"),
    ],
)
def test_the_schema_check_catches_a_broken_tool(breakage: Any, path: str) -> None:
    """The schema test is not vacuous: a tool ElevenLabs would refuse fails it."""
    tool = generated("handoff")
    breakage(tool["tool_config"])
    errors = schema_errors(tool["tool_config"], "WebhookToolConfig-Input")
    assert any(error.startswith(path) or path in error for error in errors), errors


@pytest.mark.parametrize(
    ("kind", "path", "name"),
    [
        ("handoff", HANDOFF_PATH, "file_helpdesk_ticket"),
        ("status", "/ingest/ticket-status", "check_ticket_status"),
    ],
)
@pytest.mark.parametrize("base", [BASE, BASE + "/", BASE + "/bridge"])
def test_posts_to_the_route_with_the_secret_token(
    kind: Kind, path: str, name: str, base: str
) -> None:
    config = tool_request(
        kind, base, secret_id="sec_9", deadline_seconds=10.0, dedup_window_seconds=60
    )["tool_config"]
    assert config["type"] == "webhook"
    assert config["name"] == name
    assert config["api_schema"]["url"] == base.rstrip("/") + path
    assert config["api_schema"]["method"] == "POST"
    assert config["api_schema"]["request_headers"] == {"x-auth-token": {"secret_id": "sec_9"}}


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_secret_id_is_a_visible_placeholder(kind: Kind) -> None:
    headers = generated(kind, secret_id=None)["tool_config"]["api_schema"]["request_headers"]
    assert headers == {"x-auth-token": {"secret_id": SECRET_PLACEHOLDER}}


@pytest.mark.parametrize("kind", KINDS)
def test_name_can_be_chosen(kind: Kind) -> None:
    assert generated(kind, name="acme_tickets")["tool_config"]["name"] == "acme_tickets"


# kind -> {property: (value source, the value of that source, or None for an LLM description)}
FILLED_BY: dict[str, dict[str, tuple[str, str | None]]] = {
    "handoff": {
        "summary": ("description", None),
        "category": ("description", None),
        "escalationReason": ("description", None),
        "confidence": ("description", None),
        "oaKey": ("dynamic_variable", "system__conversation_id"),
        "callerNumber": ("dynamic_variable", "system__caller_id"),
        "source": ("constant_value", "ElevenLabs"),
    },
    "status": {
        "ticketId": ("description", None),
        "callerNumber": ("dynamic_variable", "system__caller_id"),
    },
}
REQUIRED = {"handoff": {"summary", "category", "escalationReason", "confidence"}, "status": set()}


@pytest.mark.parametrize("kind", KINDS)
def test_each_property_has_one_source(kind: Kind) -> None:
    tool = generated(kind)
    properties = body_properties(tool)
    assert set(properties) == set(FILLED_BY[kind])
    for name, (source, value) in FILLED_BY[kind].items():
        assert value_source(properties[name]) == source, name
        if value is not None:
            assert properties[name][source] == value
        else:
            assert len(properties[name]["description"]) > 40, name
    body = tool["tool_config"]["api_schema"]["request_body_schema"]
    assert set(body.get("required", [])) == REQUIRED[kind]


def test_confidence_is_a_number_the_others_strings() -> None:
    types = {name: prop["type"] for name, prop in body_properties(generated("handoff")).items()}
    assert types.pop("confidence") == "number"
    assert set(types.values()) == {"string"}


@pytest.mark.parametrize(
    ("prop", "enum"), [("category", Category), ("escalationReason", EscalationReason)]
)
def test_allowed_values_come_from_the_taxonomy(prop: str, enum: type[Category]) -> None:
    schema = body_properties(generated("handoff"))[prop]
    assert schema["enum"] == [member.value for member in enum]
    for member in enum:
        assert member.value in schema["description"]


@pytest.mark.parametrize(
    ("meanings", "enum"), [(CATEGORY_MEANINGS, Category), (REASON_MEANINGS, EscalationReason)]
)
def test_every_taxonomy_value_is_explained(meanings: Any, enum: type[Category]) -> None:
    assert set(meanings) == set(enum)
    assert all(meaning.strip() for meaning in meanings.values())


def test_summary_limit_is_the_domains() -> None:
    description = body_properties(generated("handoff"))["summary"]["description"]
    assert f"at most {SUMMARY_MAX_CHARS} characters" in description


@pytest.mark.parametrize(("window", "spoken"), [(14_400, "4 hours"), (3_600, "1 hour")])
def test_handoff_description_names_the_dedup_window(window: int, spoken: str) -> None:
    description = generated("handoff", dedup_window_seconds=window)["tool_config"]["description"]
    assert f"within {spoken}" in description


@pytest.mark.parametrize("kind", KINDS)
def test_descriptions_tell_the_agent_what_to_say(kind: Kind) -> None:
    description = generated(kind)["tool_config"]["description"]
    assert "'say'" in description
    assert generated(kind)["tool_config"]["force_pre_tool_speech"] is True


def test_handoff_stores_the_ticket_id_in_a_dynamic_variable() -> None:
    config = generated("handoff")["tool_config"]
    assert config["assignments"] == [
        {"source": "response", "dynamic_variable": "ticket_id", "value_path": "ticketId"}
    ]
    assert "assignments" not in generated("status")["tool_config"]


def test_status_ticket_id_is_optional_and_names_both_id_forms() -> None:
    tool = generated("status")
    ticket_id = body_properties(tool)["ticketId"]["description"]
    assert "HB-" in ticket_id
    assert "quotes" in ticket_id
    assert "required" not in tool["tool_config"]["api_schema"]["request_body_schema"]


@pytest.mark.parametrize(
    ("deadline", "timeout"),
    [
        (1.0, 5),  # ElevenLabs' floor
        (3.0, 5),
        (3.5, 6),
        (10.0, 12),  # the default deadline
        (10.5, 13),  # rounded up, never down
        (118.0, 120),
        (119.0, 120),  # capped: does not fit (the CLI warns)
        (120.0, 120),
    ],
)
def test_timeout_is_deadline_plus_margin(deadline: float, timeout: int) -> None:
    assert response_timeout_seconds(deadline) == timeout
    assert generated("handoff", deadline_seconds=deadline)["tool_config"][
        "response_timeout_secs"
    ] == (timeout)
    assert fits_timeout(deadline) == (deadline + NETWORK_MARGIN_SECONDS <= MAX_TIMEOUT_SECONDS)


@given(st.floats(min_value=1.0, max_value=120.0, allow_nan=False))
def test_timeout_covers_the_deadline_whenever_it_can(deadline: float) -> None:
    timeout = response_timeout_seconds(deadline)
    assert MIN_TIMEOUT_SECONDS <= timeout <= MAX_TIMEOUT_SECONDS
    if fits_timeout(deadline):
        assert timeout >= deadline + NETWORK_MARGIN_SECONDS
    else:
        assert timeout == MAX_TIMEOUT_SECONDS
