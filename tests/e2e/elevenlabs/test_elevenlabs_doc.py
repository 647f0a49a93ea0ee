"""docs/elevenlabs.md, run: its shell blocks in order against a real ``helpdesk-bridge serve``
and a stand-in of ElevenLabs' API (``tests/support/elevenlabs/doc_runner.py``), then the tools it
created called the way an ElevenLabs agent calls them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from entrypoints.cli.elevenlabs_tool import tool_request
from tests.support.elevenlabs import tool_schema
from tests.support.elevenlabs.doc_runner import (
    API_KEY,
    BLOCKS,
    RUN_TIMEOUT,
    WEBHOOK_SECRET,
    Block,
    DocRun,
)
from tests.support.elevenlabs.standin import ElevenLabsStandin, PostCallVerifier

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def standin() -> Iterator[ElevenLabsStandin]:
    """The stand-in checks tools against ElevenLabs' schema: without it, what needs the stand-in
    skips here (fails under CI), before any server starts."""
    server = ElevenLabsStandin(API_KEY, tool_schema()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def doc_run(
    tmp_path_factory: pytest.TempPathFactory, standin: ElevenLabsStandin
) -> Iterator[DocRun]:
    run = DocRun(tmp_path_factory.mktemp("elevenlabs-doc"), standin)
    try:
        run.run_all()
        yield run  # the last bridge keeps running for the tests below
    finally:
        run.stop()


def test_the_doc_has_each_kind_of_block() -> None:
    tags = [block.tag for block in BLOCKS]
    assert {"bash", "bash server", "bash check"} <= set(tags)
    assert tags.index("bash server") < tags.index("bash check")
    assert any("helpdesk-bridge elevenlabs tool" in block.text for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.id)
def test_block_runs(doc_run: DocRun, block: Block) -> None:
    outcome = doc_run.outcomes[block.index]
    assert outcome.status == "ok", (
        f"block {block.id} of docs/elevenlabs.md:\n{block.text}\n---\n{outcome.output}"
    )


def test_elevenlabs_got_the_token_and_two_tools_that_use_it(
    doc_run: DocRun, standin: ElevenLabsStandin
) -> None:
    state = standin.state
    assert state.refusals == []
    [(secret_id, secret)] = state.secrets.items()
    assert secret["value"] == doc_run.variable("AUTH_TOKEN")
    assert len(secret["value"]) == 64  # the doc's `openssl rand -hex 32`
    assert doc_run.variable("SECRET_ID") == secret_id
    tools = {config["name"]: config for config in state.tools.values()}
    assert set(tools) == {"file_helpdesk_ticket", "check_ticket_status"}
    paths = {
        "file_helpdesk_ticket": "/ingest/oa-handoff",
        "check_ticket_status": "/ingest/ticket-status",
    }
    for name, config in tools.items():
        assert config["api_schema"]["url"] == doc_run.bridge_url + paths[name]
        assert config["api_schema"]["request_headers"] == {"x-auth-token": {"secret_id": secret_id}}


# What the agent's LLM writes into the description-filled properties, and the platform's values.
LLM_VALUES: dict[str, Any] = {
    "summary": "No internet since the storm, router lights are red",
    "category": "Outage",
    "escalationReason": "TwoStepsNoResolve",
    "confidence": 0.9,
}


def agent_call(
    config: dict[str, Any], secrets: dict[str, dict[str, str]], variables: dict[str, str]
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The request ElevenLabs makes for a tool call: each property from its one source."""
    schema = config["api_schema"]
    headers = {
        name: secrets[value["secret_id"]]["value"] if isinstance(value, dict) else value
        for name, value in schema["request_headers"].items()
    }
    body: dict[str, Any] = {}
    for name, prop in schema["request_body_schema"]["properties"].items():
        if prop.get("dynamic_variable"):
            body[name] = variables[prop["dynamic_variable"]]
        elif prop.get("constant_value") not in (None, ""):
            body[name] = prop["constant_value"]
        elif name in LLM_VALUES:
            body[name] = LLM_VALUES[name]
    return schema["url"], headers, body


@pytest.mark.parametrize("caller_id", ["+14155552671", ""], ids=["phone-call", "web-call"])
def test_the_created_tools_work_when_the_agent_calls_them(
    doc_run: DocRun, standin: ElevenLabsStandin, caller_id: str
) -> None:
    tools = {config["name"]: config for config in standin.state.tools.values()}
    variables = {
        "system__conversation_id": f"conv_agent_{caller_id or 'web'}",
        "system__caller_id": caller_id,
    }
    url, headers, body = agent_call(tools["file_helpdesk_ticket"], standin.state.secrets, variables)
    filed = httpx.post(url, headers=headers, json=body, timeout=30.0)
    assert filed.status_code in (200, 202), filed.text
    answer = filed.json()
    [assignment] = tools["file_helpdesk_ticket"]["assignments"]
    assert answer[assignment["value_path"]]
    assert isinstance(answer["say"], str)  # the sentence the agent reads out
    assert answer["say"].strip()
    if caller_id:
        url, headers, body = agent_call(
            tools["check_ticket_status"], standin.state.secrets, variables
        )
        status = httpx.post(url, headers=headers, json=body, timeout=30.0)
        assert status.status_code == 200, status.text
        assert answer["ticketId"] in {ticket["ticketId"] for ticket in status.json()["tickets"]}


def test_the_check_body_is_what_the_handoff_tool_sends() -> None:
    """The hand-off check of step 6 sends exactly the generated tool's properties."""
    [block] = [b for b in BLOCKS if b.tag == "bash check" and "/ingest/oa-handoff" in b.text]
    match = re.search(r"-d '(\{.*?\})'", block.text)
    assert match is not None
    sent = json.loads(match.group(1))
    tool = tool_request("handoff", "https://b", deadline_seconds=10, dedup_window_seconds=60)
    properties = tool["tool_config"]["api_schema"]["request_body_schema"]["properties"]
    assert set(sent) == set(properties)
    assert sent["source"] == properties["source"]["constant_value"]
    assert sent["category"] in properties["category"]["enum"]
    assert sent["escalationReason"] in properties["escalationReason"]["enum"]


def test_the_post_call_check_signs_as_elevenlabs_does(tmp_path: Path) -> None:
    """Step 7's test event, sent to a verifier of ElevenLabs' signature scheme: accepted with the
    right secret, refused with another (whatever this build's route does)."""
    [block] = [
        b for b in BLOCKS if "/ingest/elevenlabs/post-call" in b.text and b.tag == "bash check"
    ]
    verifier = PostCallVerifier(WEBHOOK_SECRET).start()
    try:
        for secret, expected in ((WEBHOOK_SECRET, 0), ("another-secret", 22)):
            done = subprocess.run(
                ["bash", "-eu", "-o", "pipefail", "-c", block.text],
                cwd=tmp_path,
                env={
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "BRIDGE_URL": verifier.url,
                    "ELEVENLABS_WEBHOOK_SECRET": secret,
                },
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
                check=False,
            )
            assert done.returncode == expected, done.stderr  # curl --fail-with-body: 22 on 401
    finally:
        verifier.stop()
    assert verifier.verdicts == ["ok", "signature does not match"]
