"""docs/openapi.yaml is what the code serves at /schema: regenerate with `make openapi`."""

from __future__ import annotations

from pathlib import Path

import yaml

from entrypoints.http.openapi import build_openapi

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_exported_document_matches_the_code() -> None:
    assert yaml.safe_load(DOC.read_text()) == build_openapi(), (
        "docs/openapi.yaml is stale: run `make openapi`"
    )


def test_every_error_code_of_the_handoff_is_documented() -> None:
    responses = build_openapi()["paths"]["/ingest/oa-handoff"]["post"]["responses"]
    assert {"200", "400", "401", "403", "409", "413", "415", "429", "500", "502", "503"} <= set(
        responses
    )
