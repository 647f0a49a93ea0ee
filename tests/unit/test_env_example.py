""".env.example lists every variable the service reads (the spec makes that binding)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(r"\b(?:get|read)\.\w+\(\s*\"([A-Z][A-Z0-9_]+)\"")


def test_every_variable_read_is_listed_with_a_comment() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    read = {
        name
        for source in (ROOT / "entrypoints").rglob("*.py")
        for name in READS.findall(source.read_text())
    }
    assert {"AUTH_TOKEN", "PORT", "HELPDESK_API_URL", "REDIS_URL"} <= read
    assert read - listed == set(), "add these to .env.example with their default and meaning"
    lines = example.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]+=", line):
            assert lines[index - 1].startswith("#") or re.match(r"^[A-Z_]+=", lines[index - 1]), (
                f"{line.split('=')[0]} has no comment saying what it means"
            )
