"""``ELEVENLABS_WEBHOOK_SECRET`` swapped by SIGHUP like the other secrets: the next request is
judged by the new secrets (a comma list: old and new both valid while the webhook moves over),
an emptied one closes the route - no restart."""

from __future__ import annotations

from adapters.clock import ManualClock
from entrypoints.config.reload import Holder, Reloader
from entrypoints.config.settings import settings_from
from entrypoints.http.post_call.signature import (
    PostCallSecretReload,
    PostCallSignature,
    post_call_secrets,
    sign,
)

NOW = 1_796_100_000
BODY = b'{"type": "post_call_transcription"}'


def matches(signature: PostCallSignature, secret: str) -> bool:
    verifier = signature.start(sign(secret, NOW, BODY))
    verifier.update(BODY)
    return verifier.matches()


def test_a_reload_rotates_the_secret_and_an_empty_one_closes_the_route() -> None:
    values = {"AUTH_TOKEN": "t", "ELEVENLABS_WEBHOOK_SECRET": "old-secret"}
    running = settings_from(values)
    secret = Holder(post_call_secrets(running))
    signature = PostCallSignature(secret, ManualClock(NOW))
    reloader = Reloader(running, [PostCallSecretReload(secret)], read=lambda: dict(values))
    assert signature.enabled
    assert matches(signature, "old-secret")

    values["ELEVENLABS_WEBHOOK_SECRET"] = "old-secret, new-secret"  # both while moving over
    assert reloader.reload()
    assert matches(signature, "new-secret")
    assert matches(signature, "old-secret")

    values["ELEVENLABS_WEBHOOK_SECRET"] = "new-secret"
    assert reloader.reload()
    assert matches(signature, "new-secret")
    assert not matches(signature, "old-secret")

    values["ELEVENLABS_WEBHOOK_SECRET"] = ""
    assert reloader.reload()
    assert not signature.enabled
