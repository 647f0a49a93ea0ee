"""The hand-off webhook in process: every validation, media-type, size and routing refusal."""

from __future__ import annotations

import json

import pytest

from tests.support.e2e.requests import (
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


# The shared input table (tests/support/input_cases.py, run by test_input_rules.py) holds one case
# per rule for both transports; these are more values per rule, on the webhook.
@pytest.mark.parametrize(
    ("field", "value", "wording"),
    [
        ("category", "Internet", "Invalid enum value. Expected "),
        ("escalationReason", "Angry", "Invalid enum value. Expected "),
        *(
            ("confidence", c, 'confidence must be a string from "0.0" to "1.0"')
            for c in ("1.5", "high", "-0.1", "0,85")
        ),
        *(("confidence", c, "confidence must be from 0 to 1") for c in (1.01, -0.5, 2, 1e9)),
        ("confidence", False, "Expected string, received boolean"),
        *(
            ("callerNumber", c, "callerNumber must be a valid E.164 number")
            for c in ("12345678900", "+1234", "+1 call me", "+99999999999999")
        ),
    ],
)
async def test_a_bad_field_is_named_alone(service, field, value, wording):
    async with service.client() as client:
        response = await handoff(client, {"note": note(), field: value})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(body["details"]) == [field]
    (message,) = body["details"][field]["_errors"]
    assert message.startswith(wording)


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
