"""Running the shell blocks of docs/elevenlabs.md as one operator's shell would (the page's
"How this page is tested" describes the protocol): ``bash`` blocks in order with their variables
carried over, ``bash server`` blocks as the running bridge, ``bash check`` blocks against it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.e2e.environment import free_port, service_environment
from tests.support.elevenlabs.standin import ElevenLabsStandin
from tests.support.paths import REPO_ROOT

DOC = REPO_ROOT / "docs/elevenlabs.md"
BLOCK = re.compile(r"^```(bash(?: server| check)?)\n(.*?)^```$", re.M | re.S)
API_KEY = "xi-test-api-key"
WEBHOOK_SECRET = "whsec-doc-test-secret"
RUN_TIMEOUT = 60.0


@dataclass(frozen=True)
class Block:
    index: int
    tag: str  # bash | bash server | bash check
    text: str

    @property
    def id(self) -> str:
        return f"{self.index:02d}-{self.tag.replace(' ', '-')}"


BLOCKS = [Block(i, tag, text) for i, (tag, text) in enumerate(BLOCK.findall(DOC.read_text()))]


@dataclass
class Outcome:
    status: str  # ok | failed | not-run
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
