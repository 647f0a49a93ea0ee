"""``helpdesk-bridge hash-token``: one token from stdin -> its ``sha256:<hex>`` line, which a
tenants file accepts as the token's entry in ``auth_tokens``."""

from __future__ import annotations

import hashlib
import io

import pytest

from entrypoints.cli.hash_token import run_hash_token
from entrypoints.main import main


def hashed(stdin_text: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_hash_token(io.StringIO(stdin_text), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "typed", ["s3cret-token\n", "s3cret-token", "  s3cret-token \r\n", "\ns3cret-token\n\n"]
)
def test_the_token_on_stdin_is_printed_as_its_sha256_line(typed: str) -> None:
    expected = "sha256:" + hashlib.sha256(b"s3cret-token").hexdigest()
    assert hashed(typed) == (0, expected + "\n", "")


@pytest.mark.parametrize(
    ("typed", "found"), [("", "no token"), (" \n\n", "no token"), ("a\nb\n", "2 lines")]
)
def test_anything_but_one_token_is_refused_with_exit_code_2(typed: str, found: str) -> None:
    code, out, err = hashed(typed)
    assert (code, out) == (2, "")
    assert f"hash-token reads one token from stdin, found {found}" in err
    assert "a\n" not in err


def test_the_command_line_runs_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("tok\n"))
    assert main(["hash-token"]) == 0
    assert capsys.readouterr().out == "sha256:" + hashlib.sha256(b"tok").hexdigest() + "\n"
