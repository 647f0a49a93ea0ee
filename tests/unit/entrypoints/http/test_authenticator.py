"""The authenticator's verdicts, in process (the e2e suite covers them over HTTP too)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from adapters.clock import ManualClock
from entrypoints.asgi.auth import (
    AUTHORIZATION_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOKEN_HEADER,
    AuthDecision,
    AuthSecrets,
    BearerAuth,
    WebhookAuth,
)
from entrypoints.config.reload import Holder

SECRET = "s3cret"
BODY = b'{"note":"x"}'


def sign(timestamp_ms: int, body: bytes = BODY) -> str:
    digest = hmac.new(SECRET.encode(), str(timestamp_ms).encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


NOW_MS = 1_700_000_000_000


class Auth:
    """The webhook scheme on a fixed clock, called with the headers a request would carry."""

    def __init__(self) -> None:
        secrets = Holder(AuthSecrets.of(["tok"], [SECRET]))
        self.scheme = WebhookAuth(secrets, 300, ManualClock(NOW_MS / 1000))

    def check(
        self,
        token: str | None,
        signature: str | None,
        timestamp: str | None,
        body: bytes,
        client_ip: str,
    ) -> AuthDecision:
        sent = {TOKEN_HEADER: token, SIGNATURE_HEADER: signature, TIMESTAMP_HEADER: timestamp}
        headers = {name: value for name, value in sent.items() if value is not None}
        return self.scheme.check(headers, body, client_ip)


@pytest.fixture
def auth() -> Auth:
    return Auth()


def test_a_signature_is_remembered_only_until_its_timestamp_leaves_the_window(
    auth: Auth,
) -> None:
    now_ms = NOW_MS
    fresh = auth.check(None, sign(now_ms), str(now_ms), BODY, "127.0.0.1")
    late = auth.check(None, sign(now_ms - 290_000), str(now_ms - 290_000), BODY, "127.0.0.1")
    assert fresh.error is None
    assert late.error is None
    assert 299 <= fresh.replay_seconds <= 300
    assert 9 <= late.replay_seconds <= 10


def test_token_and_signature_clients_are_named_without_secrets(auth: Auth) -> None:
    now_ms = NOW_MS
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
    auth: Auth, signature: str | None, timestamp: str, code: str
) -> None:
    now_ms = NOW_MS
    stamp = {"now": str(now_ms), "old": str(now_ms - 301_000), "abc": "abc"}[timestamp]
    if signature == "valid":
        signature = sign(int(stamp)) if stamp.isdigit() else sign(now_ms)
    auth = auth.check(None, signature, stamp, BODY, "127.0.0.1")
    assert auth.error is not None
    assert auth.error.code == code


@pytest.mark.parametrize(
    ("authorization", "let_in"),
    [
        ("Bearer tok", True),
        ("bearer   tok ", True),
        ("tok", True),  # a platform that sends its stored secret as the whole header value
        ("Bearer nope", False),
        ("Bearer ", False),
        (None, False),
    ],
)
def test_bearer_scheme(authorization: str | None, let_in: bool) -> None:
    headers = {AUTHORIZATION_HEADER: authorization} if authorization is not None else {}
    auth = BearerAuth(Holder(AuthSecrets.of(["tok"]))).check(headers, b"", "10.0.0.2")
    assert (auth.error is None) == let_in
    assert auth.client.startswith("token:" if let_in else "ip:10.0.0.2")
    if not let_in:
        assert auth.error is not None
        assert auth.error.code == "AUTH_REQUIRED"
