"""Where things are: the repository's root, and the files of ``../shared`` the tests read.

``../shared`` (the specification, the helpdesks' OpenAPI files, ElevenLabs' schema and sample
events) sits beside the checkout in CI and on a developer's machine, never on a user's: a test
that needs one of its files skips without it, and fails under CI (``required_shared_file``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def in_ci() -> bool:
    """CI must run every test: a missing service or file fails there instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def shared_file(relative: str, override: str) -> Path | None:
    """The environment variable ``override`` if set, else ``shared/<relative>`` beside the
    checkout or any folder above it (a git worktree sits deeper than the main checkout); None
    when there is no such file."""
    if configured := os.environ.get(override):
        return Path(configured) if Path(configured).is_file() else None
    beside = (folder / "shared" / relative for folder in REPO_ROOT.parents)
    return next((path for path in beside if path.is_file()), None)


def required_shared_file(relative: str, override: str, what: str) -> Path:
    """``shared_file``, or the calling test skips (fails under CI) saying which file is missing.

    Call it from a test, a fixture or a support module's import (the importing test module is
    skipped), never from a server thread: a skip raised there would break the server instead of
    skipping the test."""
    path = shared_file(relative, override)
    if path is None:
        missing = f"{what} (shared/{relative}) is not beside the checkout; set {override}"
        if in_ci():
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing, allow_module_level=True)
    return path
