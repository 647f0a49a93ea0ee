"""``helpdesk-bridge elevenlabs tool`` as an operator runs it: the real console script, its
stdout a tool ElevenLabs accepts, its settings read from the environment and ``.env``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.e2e.environment import run_cli
from tests.support.elevenlabs import schema_errors

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60)]

URL = "https://bridge.example.com"
NO_AUTH = {"AUTH_TOKEN": None, "WEBHOOK_SECRET": None}


def printed_tool(args: list[str], **kwargs: Any) -> tuple[dict[str, Any], str]:
    done = run_cli(
        ["elevenlabs", "tool", *args], env={**NO_AUTH, **kwargs.pop("env", {})}, **kwargs
    )
    assert done.returncode == 0, done.stderr
    tool: dict[str, Any] = json.loads(done.stdout)
    assert schema_errors(tool) == []
    return tool, done.stderr


@pytest.mark.parametrize(
    ("args", "url", "name"),
    [
        ([], URL + "/ingest/oa-handoff", "file_helpdesk_ticket"),
        (["--kind", "handoff"], URL + "/ingest/oa-handoff", "file_helpdesk_ticket"),
        (["--kind", "status"], URL + "/ingest/ticket-status", "check_ticket_status"),
        (
            ["--kind", "status", "--name", "ticket_lookup"],
            URL + "/ingest/ticket-status",
            "ticket_lookup",
        ),
    ],
)
def test_prints_the_tool_for_each_kind(args: list[str], url: str, name: str) -> None:
    tool, stderr = printed_tool(["--url", URL, "--secret-id", "sec_abc", *args])
    config = tool["tool_config"]
    assert (config["api_schema"]["url"], config["name"]) == (url, name)
    assert config["api_schema"]["request_headers"]["x-auth-token"] == {"secret_id": "sec_abc"}
    assert config["response_timeout_secs"] == 12  # HANDOFF_DEADLINE_SECONDS=10 + 2 s
    assert stderr == ""


def test_without_a_secret_id_it_warns_and_prints_the_placeholder() -> None:
    tool, stderr = printed_tool(["--url", URL])
    secret = tool["tool_config"]["api_schema"]["request_headers"]["x-auth-token"]["secret_id"]
    assert secret.startswith("REPLACE_WITH")
    assert f"replace {secret}" in stderr


@pytest.mark.parametrize("where", ["environment", "dotenv"])
def test_timeout_follows_the_configured_deadline(where: str) -> None:
    setting = {"HANDOFF_DEADLINE_SECONDS": "20", "DEDUP_TTL_SECONDS": "3600"}
    if where == "environment":
        tool, _ = printed_tool(["--url", URL, "--secret-id", "s"], env=setting)
    else:
        dotenv = "".join(f"{name}={value}\n" for name, value in setting.items())
        tool, _ = printed_tool(["--url", URL, "--secret-id", "s"], dotenv=dotenv)
    assert tool["tool_config"]["response_timeout_secs"] == 22
    assert "within 1 hour" in tool["tool_config"]["description"]


def test_a_deadline_too_long_for_elevenlabs_is_capped_with_a_warning() -> None:
    tool, stderr = printed_tool(
        ["--url", URL, "--secret-id", "s"], env={"HANDOFF_DEADLINE_SECONDS": "119"}
    )
    assert tool["tool_config"]["response_timeout_secs"] == 120
    assert "HANDOFF_DEADLINE_SECONDS=119" in stderr


def test_http_url_is_allowed_with_a_warning() -> None:
    tool, stderr = printed_tool(["--url", "http://127.0.0.1:3000", "--secret-id", "s"])
    assert tool["tool_config"]["api_schema"]["url"] == "http://127.0.0.1:3000/ingest/oa-handoff"
    assert "use https://" in stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--url", "bridge.example.com"], {}, "--url must be"),
        (["--url", "ftp://bridge.example.com"], {}, "--url must be"),
        (["--url", URL, "--name", "file ticket"], {}, "--name must be"),
        (["--url", URL, "--kind", "close"], {}, "invalid choice"),
        ([], {}, "--url"),
        (["--url", URL], {"HANDOFF_DEADLINE_SECONDS": "soon"}, "HANDOFF_DEADLINE_SECONDS must be"),
    ],
)
def test_bad_arguments_exit_2_with_nothing_on_stdout(
    args: list[str], env: dict[str, str], message: str
) -> None:
    done = run_cli(["elevenlabs", "tool", *args], env={**NO_AUTH, **env})
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
