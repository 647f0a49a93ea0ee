"""ElevenLabs' side of the integration, for tests: their published request schema of
``POST /v1/convai/tools`` and a stand-in of their API that checks what our documented commands
send.

The schema (``tool-request.schema.json``) is ElevenLabs' document, kept beside the project in
``../shared/elevenlabs`` where CI has it, never copied in (``ELEVENLABS_SCHEMA_PATH`` points
elsewhere): without it the tests that need it skip, except under CI, where they fail."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.support.paths import required_shared_file, shared_file

SCHEMA = "elevenlabs/tool-request.schema.json"
SCHEMA_OVERRIDE = "ELEVENLABS_SCHEMA_PATH"


def schema_path() -> Path | None:
    """ElevenLabs' tool schema (``shared/elevenlabs/...``, or ``ELEVENLABS_SCHEMA_PATH``)."""
    return shared_file(SCHEMA, SCHEMA_OVERRIDE)


@cache
def _schema() -> dict[str, Any]:
    path = required_shared_file(SCHEMA, SCHEMA_OVERRIDE, "ElevenLabs' tool schema")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def validator(definition: str = "ToolRequestModel") -> jsonschema.Draft202012Validator:
    """A validator for ``#/$defs/<definition>`` of ElevenLabs' schema."""
    schema = {**_schema(), "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema)


def schema_errors(body: Any, definition: str = "ToolRequestModel") -> list[str]:
    """Every violation of ``#/$defs/<definition>``, as readable lines (empty: valid)."""
    errors = sorted(validator(definition).iter_errors(body), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message[:300]}" for e in errors]
