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
def _loaded(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def tool_schema() -> dict[str, Any]:
    """ElevenLabs' schema, or the calling test skips (fails under CI) without it. Ask for it in a
    test or a fixture, never on a server's thread, where a skip would break the server instead."""
    return _loaded(required_shared_file(SCHEMA, SCHEMA_OVERRIDE, "ElevenLabs' tool schema"))


def validator(
    definition: str = "ToolRequestModel", schema: dict[str, Any] | None = None
) -> jsonschema.Draft202012Validator:
    """A validator for ``#/$defs/<definition>`` of ElevenLabs' schema (``schema`` if given)."""
    document = schema if schema is not None else tool_schema()
    return jsonschema.Draft202012Validator({**document, "$ref": f"#/$defs/{definition}"})


def schema_errors(
    body: Any, definition: str = "ToolRequestModel", schema: dict[str, Any] | None = None
) -> list[str]:
    """Every violation of ``#/$defs/<definition>``, as readable lines (empty: valid). Without
    ``schema`` it loads ElevenLabs' (``tool_schema``), so a test calling it skips without it; the
    stand-in passes the schema it was given, which works on any thread."""
    found = validator(definition, schema).iter_errors(body)
    errors = sorted(found, key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message[:300]}" for e in errors]
