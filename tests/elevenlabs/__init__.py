"""ElevenLabs' side of the integration, for tests: their published request schema of
``POST /v1/convai/tools`` (``tool-request.schema.json``, copied unchanged from the OpenAPI
document of elevenlabs/elevenlabs-docs, snapshot 2025-08-25; see its ``$comment``) and a stand-in
of their API that checks what our documented commands send."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).with_name("tool-request.schema.json")


@cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def validator(definition: str = "ToolRequestModel") -> jsonschema.Draft202012Validator:
    """A validator for ``#/$defs/<definition>`` of ElevenLabs' schema."""
    schema = {**_schema(), "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema)


def schema_errors(body: Any, definition: str = "ToolRequestModel") -> list[str]:
    """Every violation of ``#/$defs/<definition>``, as readable lines (empty: valid)."""
    errors = sorted(validator(definition).iter_errors(body), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message[:300]}" for e in errors]
