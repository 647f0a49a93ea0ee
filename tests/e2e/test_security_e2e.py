"""What needs a real process: security headers and HSTS behind a trusted proxy (uvicorn's
proxy headers), and the JSON log lines on stderr that never carry secrets or personal data.
Signatures and replays are tested in process
(tests/integration/webhook/test_webhook_signatures.py)."""

from __future__ import annotations

import pytest

from tests.support.e2e.processes import SECRET, TOKEN
from tests.support.e2e.requests import (
    AUTH,
    HANDOFF,
    JSON_HEADERS,
    compact,
    handoff,
    note,
    signed_headers,
    unique,
    unique_caller,
)

pytestmark = pytest.mark.e2e

SECURITY_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "SAMEORIGIN"}
HSTS = "strict-transport-security"


@pytest.fixture(scope="module")
def service(module_service_factory):
    return module_service_factory({"RATE_LIMIT_PER_SECOND": "100000"})


# -- security headers ---------------------------------------------------------------------------


async def test_security_headers_and_request_id_on_every_answer(service):
    async with service.client() as client:
        answers = [
            await client.get("/healthz"),
            await client.get("/readyz"),
            await client.get("/schema"),
            await client.get("/does-not-exist"),
            await client.delete(HANDOFF),
            await client.post(HANDOFF, json={"note": note()}),
            await handoff(client, {"note": "short"}),
            await handoff(client, {"note": note()}),
        ]

    request_ids = set()
    for response in answers:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)
        assert response.headers["x-request-id"]
        assert HSTS not in response.headers  # plain HTTP
        assert "server" not in response.headers
        request_ids.add(response.headers["x-request-id"])
    assert len(request_ids) == len(answers)


async def test_incoming_request_id_is_echoed(service):
    request_id = unique("req")
    async with service.client() as client:
        ok = await handoff(client, {"note": note()}, X_Request_ID=request_id)
        missing = await client.get("/nope", headers={"X-Request-ID": request_id + "-404"})
        hostile = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})

    assert ok.headers["x-request-id"] == request_id
    assert missing.headers["x-request-id"] == request_id + "-404"
    assert hostile.headers["x-request-id"] != "bad id\twith spaces"  # replaced, not echoed


async def test_hsts_only_behind_tls_from_a_trusted_proxy(service):
    async with service.client() as client:
        behind_tls = await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        behind_tls_404 = await client.get("/nope", headers={"X-Forwarded-Proto": "https"})
        plain = await client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
        direct = await client.get("/healthz")

    for response in (behind_tls, behind_tls_404):
        assert response.headers[HSTS].startswith("max-age=")
    assert HSTS not in plain.headers
    assert HSTS not in direct.headers


async def test_forwarded_proto_from_an_untrusted_peer_is_ignored(service_factory):
    untrusted = service_factory({"FORWARDED_ALLOW_IPS": "10.0.0.1"})
    async with untrusted.client() as client:
        response = await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert HSTS not in response.headers


# -- logs ---------------------------------------------------------------------------------------


async def test_logs_are_json_lines_one_access_line_per_request(service):
    ids = [unique("log") for _ in range(6)]
    async with service.client() as client:
        await client.get("/healthz", headers={"X-Request-ID": ids[0]})
        await client.get("/nope", headers={"X-Request-ID": ids[1]})
        await handoff(client, {"note": note()}, X_Request_ID=ids[2])
        await handoff(client, {"note": "short"}, X_Request_ID=ids[3])
        await client.post(HANDOFF, json={"note": note()}, headers={"X-Request-ID": ids[4]})
        await client.put(HANDOFF, headers={"X-Request-ID": ids[5]})

    def all_logged(records):
        seen = {r.get("request_id") for r in records if r.get("event") == "http.request"}
        return seen.issuperset(ids)

    records = service.wait_for_log(all_logged)  # parses every line as JSON
    access = [r for r in records if r.get("event") == "http.request"]
    for request_id, (method, path, status) in zip(
        ids,
        [
            ("GET", "/healthz", 200),
            ("GET", "/{path}", 404),  # an unmatched path is logged as a template, never raw
            ("POST", HANDOFF, 200),
            ("POST", HANDOFF, 400),
            ("POST", HANDOFF, 401),
            ("PUT", HANDOFF, 405),
        ],
        strict=True,
    ):
        (line,) = [r for r in access if r["request_id"] == request_id]
        assert (line["method"], line["path"], line["status"]) == (method, path, status)
        assert line["level"] == "info"
        assert isinstance(line["duration_ms"], int | float)
    assert all(r["status"] < 500 or r["status"] == 503 for r in access)


async def test_secrets_and_personal_data_never_reach_the_logs(service):
    caller = unique_caller()
    invalid_caller = "+1999" + caller[-7:]
    summary = f"Marker summary {unique('pii')} mentions {caller}"
    signed_body = compact({"note": note(summary), "callerNumber": caller, "oaKey": unique()})
    signed = signed_headers(signed_body)
    last_id = unique("last")
    async with service.client() as client:
        await handoff(client, {"note": note(summary), "callerNumber": caller})
        await client.post(HANDOFF, content=signed_body, headers=signed)
        await client.post(HANDOFF, content=signed_body, headers=signed)  # replay
        await handoff(client, {"note": note(summary), "callerNumber": invalid_caller})
        await handoff(client, {"note": summary, "callerNumber": caller})  # not 4 lines
        await client.post(
            HANDOFF,
            content=signed_body,
            headers={"x-auth-token": "wrong-" + TOKEN, **JSON_HEADERS},
        )
        await client.post(
            HANDOFF,
            content=b"{" + summary.encode() + caller.encode(),
            headers={**AUTH, **JSON_HEADERS},
        )
        await client.get("/healthz", headers={"X-Request-ID": last_id})

    service.wait_for_log(lambda rs: any(r.get("request_id") == last_id for r in rs))
    stderr = service.stderr_text()
    forbidden = {
        "caller number": caller,
        "caller digits": caller.removeprefix("+1"),
        "invalid caller number": invalid_caller,
        "note summary": summary,
        "marker": summary.split()[2],
        "token": TOKEN,
        "signature": signed["x-signature"].removeprefix("sha256="),
        "secret": SECRET,
    }
    for what, value in forbidden.items():
        assert value not in stderr, f"{what} leaked into the logs"
    assert "Traceback" not in stderr
