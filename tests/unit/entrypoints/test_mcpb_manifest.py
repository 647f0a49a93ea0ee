"""The Claude Desktop bundle's manifest and pyproject, as generated from the project: every form
field is a real setting with its declared default, secrets are masked, the environment carries
each field, the tools are the served ones, and the bundle depends on what the project does."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from entrypoints.config.settings import declared_settings
from entrypoints.mcp.bundle import (
    ENTRY_POINT,
    ENTRY_SOURCE,
    ROOT,
    USER_CONFIG,
    bundle_pyproject,
    manifest,
    user_config_key,
)
from entrypoints.mcp.contract import tool_names

SETTINGS = {setting.name: setting for setting in declared_settings()}
MANIFEST = manifest()


def project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        loaded: dict[str, Any] = tomllib.load(handle)["project"]
    return loaded


@pytest.mark.parametrize("row", USER_CONFIG, ids=lambda row: row.variable)
def test_each_form_field_is_a_declared_setting(row: Any) -> None:
    setting = SETTINGS[row.variable]
    entry = MANIFEST["user_config"][user_config_key(row.variable)]
    expected_default = "" if setting.default is None else str(setting.default)
    assert entry["default"] == expected_default
    assert entry["sensitive"] is setting.secret
    assert entry["required"] is False  # the mock helpdesk runs with nothing filled in
    assert entry["type"] == "string"
    assert entry["title"]
    env = MANIFEST["server"]["mcp_config"]["env"]
    assert env[row.variable] == f"${{user_config.{user_config_key(row.variable)}}}"


def test_the_helpdesk_credentials_are_masked() -> None:
    sensitive = {key for key, entry in MANIFEST["user_config"].items() if entry["sensitive"]}
    assert sensitive == {
        "helpdesk_api_key",
        "helpdesk_oauth_token",
        "helpdesk_oauth_client_secret",
        "redis_url",
    }


@pytest.mark.parametrize(
    ("key", "choices"),
    [
        ("helpdesk_backend", ("mock", "zendesk", "rt")),
        ("store_backend", ("memory", "redis")),
        ("log_level", ("debug", "info", "warning", "error", "critical")),
    ],
)
def test_choice_fields_name_their_choices(key: str, choices: tuple[str, ...]) -> None:
    description = MANIFEST["user_config"][key]["description"]
    assert all(choice in description for choice in choices)


def test_the_helpdesk_settings_are_all_asked_for() -> None:
    variables = {row.variable for row in USER_CONFIG}
    helpdesk = {
        name
        for name in SETTINGS
        if name.startswith(("HELPDESK_API", "HELPDESK_OAUTH", "RT_", "ZENDESK_"))
    }
    assert helpdesk | {"HELPDESK_BACKEND"} <= variables


def test_the_env_holds_only_form_fields() -> None:
    env = MANIFEST["server"]["mcp_config"]["env"]
    assert set(env) == {row.variable for row in USER_CONFIG}


def test_server_is_run_by_uv_from_the_bundle() -> None:
    server = MANIFEST["server"]
    assert MANIFEST["manifest_version"] == "0.4"
    assert server["type"] == "uv"
    assert server["entry_point"] == ENTRY_POINT
    assert server["mcp_config"]["command"] == "uv"
    assert server["mcp_config"]["args"] == ["run", "--directory", "${__dirname}", ENTRY_POINT]
    assert ENTRY_SOURCE.is_file()
    assert 'main(["mcp"])' in ENTRY_SOURCE.read_text()


def test_declared_tools_are_the_served_names() -> None:
    names = [tool["name"] for tool in MANIFEST["tools"]]
    assert sorted(names) == sorted(tool_names("underscore").values())
    assert all(tool["description"] for tool in MANIFEST["tools"])


def test_identity_comes_from_pyproject() -> None:
    meta = project()
    assert (MANIFEST["name"], MANIFEST["version"]) == (meta["name"], meta["version"])
    assert MANIFEST["compatibility"]["runtimes"]["python"] == meta["requires-python"]


def test_bundle_pyproject_has_the_projects_dependencies_and_builds_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(bundle_pyproject())
    with path.open("rb") as handle:
        bundle = tomllib.load(handle)
    assert bundle["project"]["dependencies"] == project()["dependencies"]
    assert bundle["project"]["requires-python"] == project()["requires-python"]
    assert bundle["tool"]["uv"]["package"] is False
