"""Stand-ins for ElevenLabs' side of docs/elevenlabs.md, on 127.0.0.1: the part of their API the
page calls, and a verifier of post-call signatures.

It checks what a documented command sends as ElevenLabs would: the ``xi-api-key`` header, JSON
bodies, ``POST /v1/convai/secrets`` with ``{"type": "new", "name", "value"}`` and
``POST /v1/convai/tools`` against their published request schema (``tool-request.schema.json``),
a tool's ``secret_id`` naming a secret that exists. It answers with the shapes of their API
(``{"type": "stored", "secret_id", "name"}``, ``{"id", "tool_config"}``) and keeps what it
received, so a test can assert on it and call the created tools the way an agent would.

The schema is handed to the stand-in when it is made (``ElevenLabsStandin(key, tool_schema())``
in a fixture): where the schema is missing that fixture skips the tests that need it, instead of
a skip raised on the server's thread breaking every request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.elevenlabs import schema_errors


@dataclass
class StandinState:
    """What the stand-in was sent: secrets by id (with their values), tools by id, refusals."""

    api_key: str
    schema: dict[str, Any]  # ElevenLabs' tool-request schema, loaded before the server starts
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: refusals are kept in the state instead

    def do_POST(self) -> None:
        state = self.server.state
        refusal = self._refusal(state)
        if refusal is not None:
            status, message = refusal
            with state.lock:
                state.refusals.append(f"{self.path}: {message}")
            self._answer(status, {"detail": {"status": "refused", "message": message}})
            return
        body = self._body
        with state.lock:
            if self.path == "/v1/convai/secrets":
                secret_id = f"sec_{len(state.secrets) + 1:04d}"
                state.secrets[secret_id] = {"name": body["name"], "value": body["value"]}
                answer = {"type": "stored", "secret_id": secret_id, "name": body["name"]}
            else:
                tool_id = f"tool_{len(state.tools) + 1:04d}"
                state.tools[tool_id] = body["tool_config"]
                answer = {"id": tool_id, "tool_config": body["tool_config"]}
        self._answer(200, answer)

    def _refusal(self, state: StandinState) -> tuple[int, str] | None:
        if self.path not in ("/v1/convai/secrets", "/v1/convai/tools"):
            return 404, f"no such endpoint: POST {self.path}"
        if self.headers.get("xi-api-key") != state.api_key:
            return 401, "missing or wrong xi-api-key"
        if self.headers.get_content_type() != "application/json":
            return (
                415,
                f"Content-Type must be application/json, not {self.headers.get_content_type()}",
            )
        length = int(self.headers.get("Content-Length") or 0)
        try:
            self._body = json.loads(self.rfile.read(length))
        except ValueError:
            return 400, "the body is not JSON"
        if self.path == "/v1/convai/secrets":
            return self._secret_refusal(self._body)
        return self._tool_refusal(self._body, state)

    @staticmethod
    def _secret_refusal(body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict) or set(body) != {"type", "name", "value"}:
            return 422, 'a secret is {"type": "new", "name": ..., "value": ...}'
        if body["type"] != "new" or not all(isinstance(body[k], str) for k in ("name", "value")):
            return 422, "type must be 'new'; name and value strings"
        if not body["value"] or not body["name"]:
            return 422, "name and value must not be empty"
        return None

    @staticmethod
    def _tool_refusal(body: Any, state: StandinState) -> tuple[int, str] | None:
        errors = schema_errors(body, schema=state.schema)
        if errors:
            return 422, "; ".join(errors)
        headers = body["tool_config"].get("api_schema", {}).get("request_headers", {})
        for name, value in headers.items():
            if isinstance(value, dict) and "secret_id" in value:
                with state.lock:
                    known = value["secret_id"] in state.secrets
                if not known:
                    return 422, f"header {name}: no secret {value['secret_id']!r}"
        return None

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: StandinState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class ElevenLabsStandin:
    """The stand-in, serving on a thread between ``start()`` and ``stop()``."""

    def __init__(self, api_key: str, schema: dict[str, Any]) -> None:
        self.state = StandinState(api_key=api_key, schema=schema)
        self._server = _Server(self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ElevenLabsStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _PostCallHandler(BaseHTTPRequestHandler):
    server: _VerifierServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        problem = self.server.problem(self.path, self.headers.get("ElevenLabs-Signature", ""), raw)
        self.server.verdicts.append(problem or "ok")
        self.send_response(401 if problem else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _VerifierServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, secret: str) -> None:
        super().__init__(("127.0.0.1", 0), _PostCallHandler)
        self.secret = secret
        self.verdicts: list[str] = []

    def problem(self, path: str, header: str, raw: bytes) -> str | None:
        """What is wrong with a delivery, judged as ElevenLabs signs one (None: nothing)."""
        if path != "/ingest/elevenlabs/post-call":
            return f"wrong path {path}"
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if not parts.get("t", "").isdigit() or "v0" not in parts:
            return f"malformed ElevenLabs-Signature {header!r}"
        if abs(time.time() - int(parts["t"])) > 30 * 60:
            return "timestamp older than 30 minutes"
        expected = hmac.new(
            self.secret.encode(), parts["t"].encode() + b"." + raw, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, parts["v0"]):
            return "signature does not match"
        try:
            body = json.loads(raw)
        except ValueError:
            return "body is not JSON"
        return None if isinstance(body, dict) and body.get("type") else "no event type"


class PostCallVerifier:
    """Stands in for the bridge's post-call route, to check a signed delivery's signature the way
    ElevenLabs computes it (HMAC-SHA256 of "<t>.<raw body>" with the webhook's secret)."""

    def __init__(self, secret: str) -> None:
        self._server = _VerifierServer(secret)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def verdicts(self) -> list[str]:
        return self._server.verdicts

    def start(self) -> PostCallVerifier:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
