"""The authenticator's verdicts, in process (the e2e suite covers them over HTTP too)."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from entrypoints.http.auth import Authenticator

SECRET = "s3cret"
BODY = b'{"note":"x"}'


def sign(timestamp_ms: int, body: bytes = BODY) -> str:
    digest = hmac.new(SECRET.encode(), str(timestamp_ms).encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


@pytest.fixture
def auth() -> Authenticator:
    return Authenticator("tok", SECRET, tolerance_seconds=300)


def test_a_signature_is_remembered_only_until_its_timestamp_leaves_the_window(
    auth: Authenticator,
) -> None:
    now_ms = int(time.time() * 1000)
    fresh = auth.check(None, sign(now_ms), str(now_ms), BODY, "127.0.0.1")
    late = auth.check(None, sign(now_ms - 290_000), str(now_ms - 290_000), BODY, "127.0.0.1")
    assert fresh.error is None
    assert late.error is None
    assert 299 <= fresh.replay_seconds <= 300
    assert 9 <= late.replay_seconds <= 10


def test_token_and_signature_clients_are_named_without_secrets(auth: Authenticator) -> None:
    now_ms = int(time.time() * 1000)
    by_token = auth.check("tok", None, None, BODY, "10.0.0.1")
    by_signature = auth.check(None, sign(now_ms), str(now_ms), BODY, "10.0.0.1")
    wrong = auth.check("nope", None, None, BODY, "10.0.0.1")
    assert by_token.client.startswith("token:")
    assert "tok" not in by_token.client.removeprefix("token:")
    assert by_signature.client.startswith("hmac:")
    assert SECRET not in by_signature.client
    assert (wrong.client, wrong.error is not None) == ("ip:10.0.0.1", True)


@pytest.mark.parametrize(
    ("signature", "timestamp", "code"),
    [
        ("sha256=" + "0" * 64, "now", "AUTH_FAILED"),
        ("md5=abc", "now", "AUTH_FAILED"),
        (None, "now", "AUTH_FAILED"),
        ("valid", "old", "AUTH_FAILED"),
        ("valid", "abc", "AUTH_FAILED"),
    ],
)
def test_bad_signatures_are_refused(
    auth: Authenticator, signature: str | None, timestamp: str, code: str
) -> None:
    now_ms = int(time.time() * 1000)
    stamp = {"now": str(now_ms), "old": str(now_ms - 301_000), "abc": "abc"}[timestamp]
    if signature == "valid":
        signature = sign(int(stamp)) if stamp.isdigit() else sign(now_ms)
    verdict = auth.check(None, signature, stamp, BODY, "127.0.0.1")
    assert verdict.error is not None
    assert verdict.error.code == code
