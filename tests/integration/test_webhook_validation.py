"""The hand-off webhook in process: every validation, media-type, size and routing refusal."""

from __future__ import annotations

import json

import pytest

from tests.e2e.support import (
    AUTH,
    HANDOFF,
    JSON_HEADERS,
    assert_error,
    assert_ok,
    compact,
    handoff,
    note,
)

# -- validation ---------------------------------------------------------------------------------


async def test_missing_note_is_required(service):
    async with service.client() as client:
        response = await handoff(client, {"category": "WiFi"})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["message"] == "Invalid request payload"
    assert body["details"]["note"] == {"_errors": ["Required"]}


async def test_too_short_note(service):
    async with service.client() as client:
        response = await handoff(client, {"note": "too short"})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == {
        "note": {"_errors": ["String must contain at least 10 character(s)"]}
    }


async def test_too_long_note(service):
    async with service.client() as client:
        response = await handoff(client, {"note": note("x" * 340)})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"]["note"] == {"_errors": ["String must contain at most 350 character(s)"]}


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "Internet"), ("escalationReason", "Angry")],
)
async def test_unknown_enum_value_names_the_field(service, field, value):
    async with service.client() as client:
        response = await handoff(client, {"note": note(), field: value})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(body["details"]) == [field]
    (message,) = body["details"][field]["_errors"]
    assert message.startswith("Invalid enum value. Expected ")
    assert f"received '{value}'" in message


@pytest.mark.parametrize("confidence", ["1.5", "high", "-0.1", "0,85"])
async def test_bad_confidence(service, confidence):
    async with service.client() as client:
        response = await handoff(client, {"note": note(), "confidence": confidence})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(body["details"]) == ["confidence"]


async def test_confidence_must_be_a_string(service):
    async with service.client() as client:
        response = await handoff(client, {"note": note(), "confidence": 0.85})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == {"confidence": {"_errors": ["Expected string, received number"]}}


@pytest.mark.parametrize("caller", ["12345678900", "+1234", "+1 call me", "+99999999999999"])
async def test_bad_caller_number_names_caller_number(service, caller):
    async with service.client() as client:
        response = await handoff(client, {"note": note(), "callerNumber": caller})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(body["details"]) == ["callerNumber"]
    assert "E.164" in body["details"]["callerNumber"]["_errors"][0]


@pytest.mark.parametrize(
    "raw", [b"{not json", b'{"note": "Category: WiFi', b"", b"\xff\xfe"], ids=repr
)
async def test_malformed_json(service, raw):
    async with service.client() as client:
        response = await client.post(HANDOFF, content=raw, headers={**AUTH, **JSON_HEADERS})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(body["details"]) == ["_errors"]
    assert body["details"]["_errors"][0].startswith("Malformed JSON body")


@pytest.mark.parametrize(
    ("document", "received"),
    [([], "array"), ("a note", "string"), (42, "number"), (None, "null"), (True, "boolean")],
)
async def test_json_that_is_not_an_object(service, document, received):
    async with service.client() as client:
        response = await client.post(
            HANDOFF, content=json.dumps(document), headers={**AUTH, **JSON_HEADERS}
        )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"] == {"_errors": [f"Expected object, received {received}"]}


async def test_unsupported_media_type(service):
    async with service.client() as client:
        plain = await client.post(
            HANDOFF,
            content=compact({"note": note()}),
            headers={**AUTH, "content-type": "text/plain"},
        )
        form = await client.post(HANDOFF, data={"note": note()}, headers=AUTH)

    for response in (plain, form):
        assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_json_with_charset_is_accepted(service):
    async with service.client() as client:
        response = await client.post(
            HANDOFF,
            content=compact({"note": note()}),
            headers={**AUTH, "content-type": "application/json; charset=utf-8"},
        )

    assert_ok(response)


async def test_payload_too_large(service):
    padding = "x" * (64 * 1024)
    async with service.client() as client:
        response = await handoff(client, {"note": note(), "padding": padding})
        just_fits = await handoff(client, {"note": note(), "padding": "x" * 60_000})

    assert len(compact({"note": note(), "padding": padding})) > 64 * 1024
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert_ok(just_fits)  # unknown fields are ignored


async def test_payload_too_large_without_content_length(service):
    chunk = b"x" * 8192

    async def stream():
        yield b'{"note": "' + b"y" * 20 + b'", "padding": "'
        for _ in range(10):
            yield chunk
        yield b'"}'

    async with service.client() as client:
        response = await client.post(HANDOFF, content=stream(), headers={**AUTH, **JSON_HEADERS})

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_unknown_path_and_wrong_method(service):
    async with service.client() as client:
        missing = await client.get("/nope")
        missing_post = await client.post("/ingest/other", json={}, headers=AUTH)
        wrong_method = await client.get(HANDOFF, headers=AUTH)
        wrong_method_put = await client.put(HANDOFF, json={"note": note()}, headers=AUTH)

    for response in (missing, missing_post):
        assert_error(response, 404, "NOT_FOUND", rate_headers=False)
    for response in (wrong_method, wrong_method_put):
        assert_error(response, 405, "METHOD_NOT_ALLOWED", rate_headers=False)
