""".env.example lists every declared setting, with its default and a comment saying what it is."""

from __future__ import annotations

import re

import pytest

from entrypoints.config.reader import Setting
from entrypoints.config.settings import declared_settings
from tests.support.paths import REPO_ROOT

ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
LINES = (REPO_ROOT / ".env.example").read_text().splitlines()
LISTED = {m[1]: (i, m[2]) for i, line in enumerate(LINES) if (m := ASSIGNMENT.match(line))}
SETTINGS = {setting.name: setting for setting in declared_settings()}


def test_it_lists_exactly_the_declared_settings() -> None:
    assert set(SETTINGS) - set(LISTED) == set(), "add these to .env.example (default, meaning)"
    assert set(LISTED) - set(SETTINGS) == set(), "these are not settings (any more)"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_each_setting_is_listed_with_its_default(name: str) -> None:
    setting: Setting = SETTINGS[name]
    _, listed = LISTED[name]
    if setting.default in ("", None):
        assert listed == "", f"{name} has no default: list it as {name}="
    else:
        assert listed, f"list {name} with its default"
        assert setting.parse(listed) == setting.default


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_each_setting_says_what_it_means(name: str) -> None:
    """A comment above it, or above the group of settings it belongs to."""
    index, _ = LISTED[name]
    above = index - 1
    while ASSIGNMENT.match(LINES[above]):
        above -= 1
    assert LINES[above].startswith("#"), f"{name} has no comment saying what it means"


def test_variable_names_are_unique() -> None:
    names = [setting.name for setting in declared_settings()]
    assert len(names) == len(set(names))
