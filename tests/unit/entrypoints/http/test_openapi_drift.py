"""docs/openapi.yaml is what the code serves at /schema: regenerate with `make openapi`."""

from __future__ import annotations

import msgspec
import yaml

from application.inputs.idempotency_key import MAX_IDEMPOTENCY_KEY_CHARS
from application.use_cases.oa_handoff import OaHandoffCommand
from entrypoints.config.settings import Settings
from entrypoints.http.openapi.document import build_openapi
from tests.support.paths import REPO_ROOT

DOC = REPO_ROOT / "docs" / "openapi.yaml"


def test_exported_document_matches_the_code() -> None:
    assert yaml.safe_load(DOC.read_text()) == build_openapi(), (
        "docs/openapi.yaml is stale: run `make openapi`"
    )


def test_every_error_code_of_the_handoff_is_documented() -> None:
    responses = build_openapi()["paths"]["/ingest/oa-handoff"]["post"]["responses"]
    assert {"200", "400", "401", "403", "409", "413", "415", "429", "500", "502", "503"} <= set(
        responses
    )


def test_windows_and_limits_come_from_the_settings_and_the_rule_table() -> None:
    document = build_openapi(
        Settings(dedup_ttl_seconds=7_200, idempotency_ttl_seconds=60, hmac_tolerance_seconds=30)
    )
    post = document["paths"]["/ingest/oa-handoff"]["post"]
    (key,) = post["parameters"]
    assert "within 2 hours" in post["description"]
    assert "within 1 minute:" in key["description"]
    assert key["schema"]["maxLength"] == MAX_IDEMPOTENCY_KEY_CHARS
    timestamp = document["components"]["securitySchemes"]["hmacTimestamp"]
    assert "within 30 seconds" in timestamp["description"]


def test_the_request_body_is_the_command_the_endpoint_decodes() -> None:
    document = build_openapi()
    post = document["paths"]["/ingest/oa-handoff"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    (_, components) = msgspec.json.schema_components(
        [OaHandoffCommand], ref_template="#/components/schemas/{name}"
    )
    assert body == components["OaHandoffCommand"]
