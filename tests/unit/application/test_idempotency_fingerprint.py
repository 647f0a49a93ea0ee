"""An Idempotency-Key's fingerprint is the payload's, not the bridge version's: a body valid
under the spec fingerprints as it did before the webhook learnt ``summary``, so a retry across a
rolling upgrade still gets the stored answer, and another payload never matches."""

from __future__ import annotations

import pytest

from application.use_cases.oa_handoff import OaHandoffCommand
from entrypoints.http.routes.handoff import request_fingerprint
from entrypoints.wire.decoding import decode

NOTE = "Category: WiFi\\nReason: CallerRequested\\nSummary: No WiFi upstairs\\nConfidence: 0.85"
SPEC_BODY = f'{{"note":"{NOTE}","oaKey":"k-1","callerNumber":"+14155550123"}}'.encode()
# sha256 of the decoded payload as the bridge encoded it before `summary` existed (943421a)
BEFORE_SUMMARY = "50b830522ab8815ab2dd6b7183009a14f28c4eb73ca6c7aad08b11e0a720ed47"


def test_a_spec_body_keeps_the_fingerprint_it_had_before_summary() -> None:
    assert request_fingerprint(decode(OaHandoffCommand, SPEC_BODY)) == BEFORE_SUMMARY


@pytest.mark.parametrize(
    "body",
    [
        b'{"summary":"No WiFi upstairs","category":"WiFi","oaKey":"k-1"}',
        SPEC_BODY.replace(b"k-1", b"k-2"),
    ],
)
def test_another_payload_has_another_fingerprint(body: bytes) -> None:
    assert request_fingerprint(decode(OaHandoffCommand, body)) != BEFORE_SUMMARY
