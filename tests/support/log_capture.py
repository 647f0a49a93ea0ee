"""The service's real log set-up (``configure_logging``) writing into a buffer instead of stderr,
so tests read the JSON lines exactly as an operator's log collector would."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import structlog

from entrypoints.bootstrap.logging import configure_logging


@contextmanager
def emitted_lines(level: str = "info") -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stderr", buffer)
        configure_logging(level, "json")
        try:
            yield buffer
        finally:
            structlog.reset_defaults()
            logging.getLogger().handlers[:] = []


def events(buffer: io.StringIO, event: str) -> list[dict[str, Any]]:
    """The parsed lines of one event, in order."""
    parsed = [json.loads(line) for line in buffer.getvalue().splitlines()]
    return [line for line in parsed if line["event"] == event]
