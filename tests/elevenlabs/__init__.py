"""ElevenLabs' side of the integration, for tests: their published request schema of
``POST /v1/convai/tools`` and a stand-in of their API that checks what our documented commands
send.

The schema (``tool-request.schema.json``) is ElevenLabs' document, kept beside the project in
``../shared/elevenlabs`` where CI has it, never copied in (``ELEVENLABS_SCHEMA_PATH`` points
elsewhere): without it the tests that need it skip, except under CI, where they fail."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_IN_SHARED = Path("shared") / "elevenlabs" / "tool-request.schema.json"


def schema_path() -> Path | None:
    """``ELEVENLABS_SCHEMA_PATH``, else ``shared/elevenlabs/...`` beside the checkout or any
    folder above it (a git worktree sits deeper than the main checkout); None when absent."""
    if configured := os.environ.get("ELEVENLABS_SCHEMA_PATH"):
        return Path(configured)
    beside = (folder / SCHEMA_IN_SHARED for folder in REPO_ROOT.parents)
    return next((path for path in beside if path.is_file()), None)


@cache
def _schema() -> dict[str, Any]:
    path = schema_path()
    if path is None:
        missing = f"ElevenLabs' tool schema ({SCHEMA_IN_SHARED}) is not beside the checkout"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
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
