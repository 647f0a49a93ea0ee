"""The Claude Desktop bundle as a user gets it: built like ``make mcpb`` (the bundle directory,
then the real ``mcpb validate`` and ``mcpb pack``), unpacked, and started the way the host starts
an installed bundle - the manifest's ``mcp_config`` with ``${__dirname}`` and the user's settings
substituted by the mcpb package's own ``getMcpConfigForManifest``, ``uv`` making the environment
from the bundle's lock - then driven with the MCP SDK's client over stdio."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.stdio import get_default_environment

from entrypoints.mcp.bundle import build, uv_executable
from tests.support.paths import REPO_ROOT, in_ci

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

PACKAGING = REPO_ROOT / "packaging/mcpb"
MCPB = PACKAGING / "node_modules/.bin/mcpb"
HOST_CONFIG = PACKAGING / "host-config.mjs"
COMMAND_TIMEOUT = 300.0  # the first start downloads the dependencies into uv's cache


def mcpb_cli() -> Path:
    """The pinned mcpb CLI; skipped only where npm is missing, and never in CI."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        if in_ci():
            pytest.fail("npm and node are required in CI for the Claude Desktop bundle test")
        pytest.skip("npm not found: cannot install the mcpb CLI (packaging/mcpb)")
    if not MCPB.exists():
        pytest.fail(
            f"{MCPB.relative_to(REPO_ROOT)} is missing: run `make mcpb-cli` (make test does)"
        )
    return MCPB


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False, **kwargs
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle, built, validated, packed and unpacked as the host installs it."""
    cli = str(mcpb_cli())
    work = tmp_path_factory.mktemp("mcpb")
    stage, bundle, extension = work / "stage", work / "helpdesk-bridge.mcpb", work / "installed"
    build(stage)
    validated = run([cli, "validate", str(stage / "manifest.json")])
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "validation passes" in validated.stdout
    packed = run([cli, "pack", str(stage), str(bundle)])
    assert packed.returncode == 0, packed.stdout + packed.stderr
    unpacked = run([cli, "unpack", str(bundle), str(extension)])
    assert unpacked.returncode == 0, unpacked.stdout + unpacked.stderr
    return extension


def host_config(extension: Path, user_config: dict[str, str]) -> dict[str, Any]:
    """What the host spawns: mcpb's substitution of the installed manifest's mcp_config."""
    done = run(["node", str(HOST_CONFIG), str(extension), json.dumps(user_config)])
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = json.loads(done.stdout)
    return config


# This machine's network settings, which a host here runs with too: the CA of a TLS-inspecting
# proxy and the proxies (uv fetches the bundle's wheels on first start). Nothing else of the
# test's environment reaches the bundle: the host passes its default variables and mcp_config.env.
NETWORK_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")


def host_environment(config: dict[str, Any]) -> dict[str, str]:
    """The bundle's environment: the SDK's default (a host's), the network's, mcp_config's."""
    network = {
        name: value
        for name, value in os.environ.items()
        if name.upper() in NETWORK_VARIABLES or name.upper() == "ALL_PROXY"
    }
    return {**get_default_environment(), **network, **config["env"]}


def command_of(config: dict[str, Any]) -> str:
    """A uv bundle runs on the host's own uv: here the uv of the dev dependencies."""
    assert config["command"] == "uv"
    return uv_executable()


@asynccontextmanager
async def session_for(config: dict[str, Any], errlog_path: Path) -> AsyncIterator[ClientSession]:
    parameters = StdioServerParameters(
        command=command_of(config), args=config["args"], env=host_environment(config)
    )
    async with AsyncExitStack() as stack:
        errlog = stack.enter_context(errlog_path.open("w"))
        read, write = await stack.enter_async_context(stdio_client(parameters, errlog=errlog))
        session = await stack.enter_async_context(ClientSession(read, write))
        await session.initialize()
        yield session


def manifest_of(extension: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((extension / "manifest.json").read_text())
    return manifest


async def test_the_installed_bundle_serves_the_tools_it_declares(
    installed: Path, tmp_path: Path
) -> None:
    config = host_config(installed, {"helpdesk_backend": "mock", "store_backend": "memory"})
    assert config["args"] == ["run", "--directory", str(installed), "server/main.py"]
    assert config["env"]["HELPDESK_BACKEND"] == "mock"
    async with session_for(config, tmp_path / "bundle.stderr") as session:
        listed = await session.list_tools()
        result = await session.call_tool(
            "ingest_render_note",
            {
                "category": "WiFi",
                "escalationReason": "CallerRequested",
                "summary": "WiFi drops every evening",
                "confidence": "0.8",
            },
        )
    declared = [tool["name"] for tool in manifest_of(installed)["tools"]]
    assert sorted(tool.name for tool in listed.tools) == sorted(declared)
    assert result.is_error is False
    assert result.structured_content is not None
    assert result.structured_content["note"].startswith("Category: WiFi\n")


def test_the_users_settings_reach_the_server(installed: Path) -> None:
    """A setting from the install form decides what the server does: zendesk without its
    address stops it with the configuration error (in the host's log of the server)."""
    config = host_config(installed, {"helpdesk_backend": "zendesk", "helpdesk_api_key": "k-1"})
    assert config["env"]["HELPDESK_API_KEY"] == "k-1"
    done = run(
        [command_of(config), *config["args"]],
        env=host_environment(config),
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done.stderr
    assert "HELPDESK_API_URL must be set" in done.stderr
    assert "k-1" not in done.stderr


def test_mcpb_validate_refuses_a_broken_manifest(installed: Path, tmp_path: Path) -> None:
    """The validation above is the real one: it refuses what the host would refuse."""
    manifest = manifest_of(installed)
    manifest["user_config"]["helpdesk_api_key"]["secret"] = True  # not a field of the spec
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    done = run([str(mcpb_cli()), "validate", str(tmp_path / "manifest.json")])
    assert done.returncode != 0
    assert "secret" in done.stdout + done.stderr
