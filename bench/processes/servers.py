"""The servers a benchmark starts - the bridge as production starts it, a bench-only app on the
production server settings, the Node peer - each in its own session, always stopped by its pid."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import NODE_CACHE, NODE_PEER, OUTBOXES, ROOT, SECRET, TOKEN, BenchError, say


def console_script(checkout: Path | None = None) -> list[str]:
    """``helpdesk-bridge`` next to this interpreter (the venv's), else ``python -m``; for another
    ``checkout`` (``--baseline``), ``python -m`` of that checkout's console-script module
    (``entrypoints.main``, or ``entrypoints.cli`` before the rooms), run with it on PYTHONPATH."""
    if checkout is not None:
        main = (
            "entrypoints.main"
            if (checkout / "entrypoints/main.py").is_file()
            else "entrypoints.cli"
        )
        return [sys.executable, "-m", main]
    script = Path(sys.executable).with_name("helpdesk-bridge")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "entrypoints.main"]


def is_checkout(directory: str) -> bool:
    """Whether ``directory`` holds a checkout of helpdesk-bridge (for ``--baseline``)."""
    return any(Path(directory, "entrypoints", name).is_file() for name in ("main.py", "cli.py"))


def bridge_env(**extra: str) -> dict[str, str]:
    """The service's environment for load: token + HMAC auth, no practical rate limit."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HELPDESK_", "STORE_", "REDIS_", "MOCK_HELPDESK_"))
    }
    env.update(
        AUTH_TOKEN=TOKEN,
        WEBHOOK_SECRET=SECRET,
        RATE_LIMIT_PER_SECOND="1000000",
        HELPDESK_BACKEND="mock",
        STORE_BACKEND="memory",
        LOG_LEVEL="info",
        LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


# ------------------------------------------------------------------------------ servers


@dataclass
class Server:
    """One server process on 127.0.0.1:``port``, started in its own session so it and any
    workers it forks can be stopped together by its pid."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    log: str = os.devnull
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env or None,
                cwd=self.cwd or tempfile.gettempdir(),  # no stray .env from the project
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 30.0, path: str = "/healthz") -> float:
        """Poll ``path`` until 200; return seconds since spawn."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.proc.returncode} before answering "
                    f"(command: {' '.join(self.argv)}; rerun with --logs DIR to see why)"
                )
            if http_status(self.port, path, timeout=0.5) == 200:
                return time.perf_counter() - self.started_at
            time.sleep(0.005)
        raise BenchError(f"{self.name} did not answer {path} within {timeout:.0f} s")

    def pids(self) -> list[int]:
        """The server and its children (uvicorn/granian workers)."""
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        with contextlib.suppress(OSError):
            for child in Path(f"/proc/{self.proc.pid}/task").iterdir():
                children = (child / "children").read_text().split()
                pids.extend(int(c) for c in children)
        return pids

    def rss_mib(self) -> float:
        """Resident memory of the server and its workers, MiB."""
        total_kib = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total_kib += int(line.split()[1])
        return total_kib / 1024

    def stop(self) -> int | None:
        """SIGTERM (graceful), then SIGKILL the server's own process group after 10 s."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # the group this Popen created
                proc.wait(timeout=5)
        self.proc = None
        return proc.returncode


def http_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


@contextlib.contextmanager
def running(servers: Sequence[Server], timeout: float = 60.0) -> Iterator[list[Server]]:
    """Start every server, wait until each answers, and stop them all whatever happens."""
    started: list[Server] = []
    try:
        for server in servers:
            server.start()
            started.append(server)
            server.wait_ready(timeout)
        yield started
    finally:
        for server in reversed(started):
            server.stop()


def log_path(log_dir: str | None, name: str) -> str:
    if not log_dir:
        return os.devnull
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    return str(Path(log_dir) / f"{name}.log")


def bridge_server(port: int, log_dir: str | None = None, **env: str) -> Server:
    """``helpdesk-bridge serve`` exactly as production starts it (entrypoints/serving/process.py);
    its outbox is a fresh file of its own (never the user's default one) unless OUTBOX_PATH is
    set."""
    if "OUTBOX_PATH" not in env:
        OUTBOXES.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (OUTBOXES / f"outbox-{port}.sqlite3{suffix}").unlink(missing_ok=True)
        env["OUTBOX_PATH"] = str(OUTBOXES / f"outbox-{port}.sqlite3")
    checkout = Path(env["PYTHONPATH"]) if "PYTHONPATH" in env else None
    return Server(
        "bridge",
        [*console_script(checkout), "serve", "--host", "127.0.0.1", "--port", str(port)],
        port,
        bridge_env(**env),
        log=log_path(log_dir, f"bridge-{port}"),
    )


def module_server(
    name: str, module: str, port: int, log_dir: str | None = None, **env: str
) -> Server:
    """A bench-only app (``python -m bench.processes.floor_app``...) on the production server
    settings."""
    return Server(
        name,
        [sys.executable, "-m", module, "--port", str(port)],
        port,
        bridge_env(**env),
        log=log_path(log_dir, f"{name}-{port}"),
    )


def node_peer(port: int, log_dir: str | None = None) -> Server | None:
    """The Express peer from ../shared/peers/express-node, its node_modules installed once into
    a writable copy under the temp dir (never into the project or the shared tree)."""
    if not (NODE_PEER / "server.js").exists():
        return None
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        say("  (node/npm not found: the Node peer is skipped)")
        return None
    NODE_CACHE.mkdir(parents=True, exist_ok=True)
    for name in ("server.js", "package.json", "package-lock.json"):
        source = NODE_PEER / name
        if source.exists() and (
            not (NODE_CACHE / name).exists()
            or (NODE_CACHE / name).read_bytes() != source.read_bytes()
        ):
            shutil.copyfile(source, NODE_CACHE / name)
            shutil.rmtree(NODE_CACHE / "node_modules", ignore_errors=True)
    if not (NODE_CACHE / "node_modules").exists():
        say(f"  installing the Node peer's packages into {NODE_CACHE} (npm ci) ...")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=NODE_CACHE,
            capture_output=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            say(f"  (npm ci failed, the Node peer is skipped: {result.stderr.decode()[-300:]})")
            return None
    env = dict(os.environ)
    env.update(
        PORT=str(port),
        HOST="127.0.0.1",
        AUTH_TOKEN=TOKEN,
        HMAC_SECRET=SECRET,
        RATE_LIMIT_PER_SEC="1000000",
        LOG_FILE=os.devnull,
    )
    return Server(
        "node", [node, "server.js"], port, env, cwd=str(NODE_CACHE), log=log_path(log_dir, "node")
    )
