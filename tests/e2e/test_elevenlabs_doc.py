"""docs/elevenlabs.md, run: its shell blocks in order against a real ``helpdesk-bridge serve``
and a stand-in of ElevenLabs' API (the page's "How this page is tested" says how), then the tools
it created called the way an ElevenLabs agent calls them.

Blocks that post to a route this build does not serve yet are skipped with the branch that adds
it (``FEATURES``): the doc describes the finished integration (issues 12 and 13), whose parts are
built on separate branches. Once merged, the probes find them and every block runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from application.oa_handoff import OaHandoffCommand
from entrypoints.elevenlabs_tool import tool_request
from tests.e2e.environment import free_port, service_environment
from tests.elevenlabs.standin import ElevenLabsStandin, PostCallVerifier

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs/elevenlabs.md"
BLOCK = re.compile(r"^```(bash(?: server| check)?)\n(.*?)^```$", re.M | re.S)
API_KEY = "xi-test-api-key"
WEBHOOK_SECRET = "whsec-doc-test-secret"
RUN_TIMEOUT = 60.0


def _has_summary() -> str | None:
    fields = {f.encode_name for f in msgspec.structs.fields(OaHandoffCommand)}
    return None if "summary" in fields else "the hand-off body with summary (branch i12-inputs)"


def _has_module(pattern: str, branch: str) -> Callable[[], str | None]:
    def probe() -> str | None:
        found = any((ROOT / "entrypoints/http").glob(pattern))
        return None if found else f"its route (branch {branch})"

    return probe


# Route posted to by a block -> the probe saying what this build lacks (None: all there).
FEATURES: dict[str, Callable[[], str | None]] = {
    "/ingest/oa-handoff": _has_summary,
    "/ingest/ticket-status": _has_module("ticket_status*.py", "i13-status"),
    "/ingest/elevenlabs/post-call": _has_module("post_call*.py", "i12-postcall"),
}


@dataclass(frozen=True)
class Block:
    index: int
    tag: str  # bash | bash server | bash check
    text: str

    @property
    def id(self) -> str:
        return f"{self.index:02d}-{self.tag.replace(' ', '-')}"

    def missing(self) -> str | None:
        """What this build lacks to run the block (None: nothing)."""
        for path in re.findall(r"\$BRIDGE_URL(/[\w/.-]+)", self.text):
            probe = FEATURES.get(path)
            reason = probe() if probe is not None else None
            if reason is not None:
                return f"POST {path} needs {reason}"
        return None


BLOCKS = [Block(i, tag, text) for i, (tag, text) in enumerate(BLOCK.findall(DOC.read_text()))]


@dataclass
class Outcome:
    status: str  # ok | failed | missing | not-run
    output: str


class DocRun:
    """Runs the blocks as one operator's shell: variables carry over through a state file."""

    def __init__(self, work: Path, standin: ElevenLabsStandin) -> None:
        self.work, self.state = work, work / "state.sh"
        self.port = free_port()
        self.bridge_url = f"http://127.0.0.1:{self.port}"
        env = service_environment({"AUTH_TOKEN": None, "WEBHOOK_SECRET": None}, port=self.port)
        env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            BRIDGE_URL=self.bridge_url,
            ELEVENLABS_API=standin.url,
            ELEVENLABS_API_KEY=API_KEY,
            ELEVENLABS_WEBHOOK_SECRET=WEBHOOK_SECRET,
        )
        self.state.write_text("".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items()))
        self.server: subprocess.Popen[bytes] | None = None
        self.outcomes: dict[int, Outcome] = {}

    def run_all(self) -> None:
        failed = False
        for block in BLOCKS:
            if failed:
                self.outcomes[block.index] = Outcome("not-run", "an earlier block failed")
                continue
            reason = block.missing() if block.tag == "bash check" else None
            if reason is not None:
                self.outcomes[block.index] = Outcome("missing", reason)
                continue
            outcome = self._serve(block) if block.tag == "bash server" else self._shell(block)
            self.outcomes[block.index] = outcome
            failed = outcome.status == "failed"

    def _shell(self, block: Block) -> Outcome:
        script = f'set -a\nsource "{self.state}"\n{block.text}\nexport -p > "{self.state}"\n'
        done = subprocess.run(
            ["bash", "-eu", "-o", "pipefail", "-c", script],
            cwd=self.work,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        status = "ok" if done.returncode == 0 else "failed"
        return Outcome(status, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}")

    def _serve(self, block: Block) -> Outcome:
        self.stop()
        log = self.work / f"serve-{block.index}.log"
        with log.open("wb") as sink:
            self.server = subprocess.Popen(
                ["bash", "-eu", "-c", f'set -a\nsource "{self.state}"\n{block.text}'],
                cwd=self.work,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the serve under bash stops too
            )
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline and self.server.poll() is None:
            try:
                if httpx.get(f"{self.bridge_url}/healthz", timeout=1.0).status_code == 200:
                    return Outcome("ok", log.read_text())
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return Outcome("failed", f"the bridge did not come up:\n{log.read_text()}")

    def stop(self) -> None:
        if self.server is None:
            return
        if self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=5)
        self.server = None

    def variable(self, name: str) -> str:
        """A variable of the shell after the last block (e.g. the token the doc generated)."""
        match = re.search(rf"^declare -x {name}=\"(.*)\"$", self.state.read_text(), re.M)
        assert match is not None, f"{name} is not set after the doc's blocks"
        return match.group(1)


@pytest.fixture(scope="module")
def standin() -> Iterator[ElevenLabsStandin]:
    server = ElevenLabsStandin(API_KEY).start()
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
    if outcome.status == "missing":
        pytest.skip(f"not on this build: {outcome.output}")
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
    missing = [
        reason
        for path, probe in FEATURES.items()
        if path != "/ingest/elevenlabs/post-call" and (reason := probe())
    ]
    if missing:
        pytest.skip(f"not on this build: {'; '.join(missing)}")
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
    assert answer["ticketId"] in answer["say"]
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
