"""The Claude Desktop bundle (``.mcpb``): its manifest and the directory ``mcpb pack`` zips.

``make mcpb`` runs ``python -m entrypoints.mcp.bundle dist/mcpb`` and then ``mcpb validate`` and
``mcpb pack`` on it. The bundle is of server type ``uv`` (manifest 0.4): it carries our sources
and a ``pyproject.toml`` + ``uv.lock`` of their dependencies, and the host makes the environment
with uv on first start, so the user needs no Python, no terminal and no compiled wheels in the
bundle (a ``python`` bundle must carry its dependencies, which are platform-specific here:
msgspec, pydantic-core, dependency-injector). ``mcp_config`` spells out the same command
(``uv run --directory ${__dirname} server/main.py``) with the user's settings as environment
variables, for hosts that run it as written.

The settings the installer asks for are rows of ``USER_CONFIG``: each names a variable of
``entrypoints/config/settings.py``, whose declaration gives its default and whether it is a secret
(``sensitive``: masked in the form, kept in the OS keychain); the tools listed come from the MCP
tool table. Nothing here is copied by hand from elsewhere.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, get_args, get_origin

from entrypoints.config.reader import Setting
from entrypoints.config.settings import declared_settings

ROOT: Final = Path(__file__).resolve().parents[2]
PACKAGES: Final = ("domain", "application", "adapters", "entrypoints")
ENTRY_POINT: Final = "server/main.py"
ENTRY_SOURCE: Final = ROOT / "packaging/mcpb/server/main.py"
MANIFEST_VERSION: Final = "0.4"  # the first with server type "uv"


@dataclass(frozen=True)
class UserConfig:
    """One field of the install form: the variable it sets and what the form says about it."""

    variable: str
    title: str
    description: str


USER_CONFIG: Final[tuple[UserConfig, ...]] = (
    UserConfig(
        "HELPDESK_BACKEND",
        "Helpdesk",
        "Which helpdesk gets the tickets: zendesk, rt (Request Tracker), or mock (built in, for "
        "trying the tools: tickets go nowhere).",
    ),
    UserConfig(
        "HELPDESK_API_URL",
        "Helpdesk address",
        "The helpdesk's https:// address, e.g. https://acme.zendesk.com or "
        "https://rt.example.com (not needed for mock).",
    ),
    UserConfig(
        "HELPDESK_API_EMAIL",
        "Zendesk agent e-mail",
        "Zendesk: the e-mail of the agent whose API token is below.",
    ),
    UserConfig(
        "HELPDESK_API_KEY",
        "API token",
        "Zendesk: an API token (with the e-mail above); RT: an auth token.",
    ),
    UserConfig(
        "HELPDESK_OAUTH_TOKEN",
        "Zendesk OAuth token",
        "Zendesk: an OAuth access token, instead of the e-mail and API token.",
    ),
    UserConfig(
        "HELPDESK_OAUTH_CLIENT_ID",
        "Zendesk OAuth client id",
        "Zendesk: the identifier of an OAuth client (client credentials; Zendesk's replacement"
        " for API tokens, which stop working on 2027-04-30).",
    ),
    UserConfig(
        "HELPDESK_OAUTH_CLIENT_SECRET",
        "Zendesk OAuth client secret",
        "Zendesk: the secret of that OAuth client.",
    ),
    UserConfig(
        "HELPDESK_OAUTH_SCOPES",
        "Zendesk OAuth scopes",
        "Zendesk: the scopes asked for with the client credentials (default: read write).",
    ),
    UserConfig("RT_QUEUE", "RT queue", "Request Tracker: the queue new tickets go to."),
    UserConfig(
        "RT_EXTERNAL_REF_FIELD",
        "RT dedup field",
        "Request Tracker: the ticket custom field that holds the bridge's dedup key.",
    ),
    UserConfig(
        "RT_CALLER_FIELD",
        "RT caller field",
        "Request Tracker: the ticket custom field that holds the caller's number.",
    ),
    UserConfig(
        "ZENDESK_CATEGORY_FIELD_ID",
        "Zendesk category field id",
        "Zendesk: id of a ticket field that receives the category (empty: none).",
    ),
    UserConfig(
        "ZENDESK_REASON_FIELD_ID",
        "Zendesk reason field id",
        "Zendesk: id of a ticket field that receives the escalation reason (empty: none).",
    ),
    UserConfig(
        "ZENDESK_CONFIDENCE_FIELD_ID",
        "Zendesk confidence field id",
        "Zendesk: id of a ticket field that receives the confidence (empty: none).",
    ),
    UserConfig(
        "STORE_BACKEND",
        "Dedup store",
        "memory (this computer only), or redis to share the dedup index with the HTTP service, "
        "so a ticket filed by the voice agent is found from Claude too.",
    ),
    UserConfig(
        "REDIS_URL",
        "Redis URL",
        "With the redis store: redis[s]://[user:password@]host[:port][/db].",
    ),
    UserConfig("LOG_LEVEL", "Log level", "How much goes to Claude's log of this server."),
)


def user_config_key(variable: str) -> str:
    """``HELPDESK_API_KEY`` -> ``helpdesk_api_key`` (the key ``${user_config.KEY}`` names)."""
    return variable.lower()


def _declared(variable: str) -> Setting:
    for setting in declared_settings():
        if setting.name == variable:
            return setting
    raise LookupError(f"{variable} is not a setting of entrypoints/config/settings.py")


def _choices(setting: Setting) -> tuple[str, ...]:
    """The values of a ``Literal`` setting (empty for free text)."""
    if get_origin(setting.annotation) is not Literal:
        return ()
    return tuple(str(value) for value in get_args(setting.annotation))


def _user_config_entry(row: UserConfig) -> dict[str, Any]:
    setting = _declared(row.variable)
    description = row.description
    choices = _choices(setting)
    if choices and not all(choice in description for choice in choices):
        description += " One of: " + ", ".join(choices) + "."
    # Every field has a default (empty when the setting's is None): an unanswered field without
    # one would reach the server as the literal text "${user_config.key}".
    default = "" if setting.default is None else str(setting.default)
    return {
        "type": "string",
        "title": row.title,
        "description": description,
        "default": default,
        "required": False,
        "sensitive": setting.secret,
    }


def _project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project: dict[str, Any] = tomllib.load(handle)["project"]
    return project


def _tools() -> list[dict[str, str]]:
    from entrypoints.mcp.contract import tool_names
    from entrypoints.mcp.tools import TOOLS

    names = tool_names("underscore")
    return [{"name": names[row.key], "description": row.annotations.title or ""} for row in TOOLS]


def manifest() -> dict[str, Any]:
    """The bundle's ``manifest.json``."""
    project = _project()
    env = {row.variable: f"${{user_config.{user_config_key(row.variable)}}}" for row in USER_CONFIG}
    return {
        "manifest_version": MANIFEST_VERSION,
        "name": project["name"],
        "display_name": "Helpdesk Bridge",
        "version": project["version"],
        "description": project["description"],
        "long_description": (
            "Files and finds helpdesk tickets (Zendesk or Request Tracker) from Claude: find or "
            "create the ticket for a caller's problem without duplicates, append notes, render "
            "the 4-line hand-off note, and follow hand-offs queued while the helpdesk was down. "
            "The same rules as the helpdesk-bridge webhook that voice agents call."
        ),
        "author": {"name": "helpdesk-bridge"},
        "license": project["license"]["text"],
        "keywords": ["helpdesk", "tickets", "zendesk", "request-tracker", "escalation"],
        "server": {
            "type": "uv",
            "entry_point": ENTRY_POINT,
            "mcp_config": {
                "command": "uv",
                "args": ["run", "--directory", "${__dirname}", ENTRY_POINT],
                "env": env,
            },
        },
        "tools": _tools(),
        "compatibility": {
            "platforms": ["darwin", "win32", "linux"],
            "runtimes": {"python": project["requires-python"]},
        },
        "user_config": {
            user_config_key(row.variable): _user_config_entry(row) for row in USER_CONFIG
        },
    }


def bundle_pyproject() -> str:
    """The bundle's ``pyproject.toml``: our runtime dependencies, nothing to build (uv's
    ``package = false``: the sources are run from the bundle, see server/main.py)."""
    project = _project()
    dependencies = "".join(f"    {json.dumps(d)},\n" for d in project["dependencies"])
    return (
        "# Generated by entrypoints/mcp/bundle.py: the environment uv makes for the bundle.\n"
        "[project]\n"
        f'name = "{project["name"]}-bundle"\n'
        f'version = "{project["version"]}"\n'
        f'requires-python = "{project["requires-python"]}"\n'
        f"dependencies = [\n{dependencies}]\n\n"
        "[tool.uv]\npackage = false\n"
    )


def uv_executable() -> str:
    """The ``uv`` beside the running interpreter (a dev dependency), else the one on PATH."""
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        raise FileNotFoundError("uv not found: `make .venv/.installed-stamp` installs it")
    return found


def lock(out: Path) -> None:
    """Resolve the bundle's dependencies into ``uv.lock`` (from the package index), so every
    install gets the versions this bundle was tested with."""
    subprocess.run(  # noqa: S603 - our uv, fixed arguments
        [uv_executable(), "lock", "--quiet", "--directory", str(out)], check=True
    )


def build(out: Path) -> None:
    """Write the bundle's directory (``out`` must not exist yet or be empty), locked."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, out / package, ignore=ignore)
    (out / "server").mkdir()
    shutil.copyfile(ENTRY_SOURCE, out / ENTRY_POINT)
    (out / "pyproject.toml").write_text(bundle_pyproject(), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(manifest(), indent=2) + "\n", encoding="utf-8")
    lock(out)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m entrypoints.mcp.bundle OUT_DIR", file=sys.stderr)
        return 2
    build(Path(argv[0]))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
