"""Secrets for rotation and for containers: ``AUTH_TOKEN`` and ``WEBHOOK_SECRET`` take several
comma-separated values, and every secret setting reads from the file ``<NAME>_FILE`` names."""

from __future__ import annotations

import string
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.config.reader import Setting
from entrypoints.config.settings import ConfigError, declared_settings, load_settings

NO_FILE = "/nonexistent/.env"
AUTH = {"AUTH_TOKEN": "t"}
SECRETS = {s.name: s for s in declared_settings() if s.secret}
# A valid value of each secret (REDIS_URL has a shape).
VALUES = dict.fromkeys(SECRETS, "s3cr3t-value") | {"REDIS_URL": "redis://:pw@cache:6379/0"}


def value_of(setting: Setting, env: dict[str, str], env_file: str = NO_FILE) -> object:
    value: object = load_settings(env, env_file, require_auth=False)
    for part in setting.path:
        value = getattr(value, part)
    return value


def test_every_secret_the_issue_names_is_a_secret_setting() -> None:
    assert {
        "AUTH_TOKEN",
        "WEBHOOK_SECRET",
        "HELPDESK_API_KEY",
        "HELPDESK_OAUTH_TOKEN",
        "HELPDESK_OAUTH_CLIENT_SECRET",
        "REDIS_URL",
    } <= set(SECRETS)


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_each_secret_reads_from_its_file(name: str, tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(VALUES[name] + "\n")  # as `echo value > file` and most secret stores write it
    assert value_of(SECRETS[name], {f"{name}_FILE": str(path)}) == VALUES[name]


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_a_secret_set_both_ways_stops_start_up(name: str, tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(VALUES[name])
    with pytest.raises(ConfigError) as error:
        load_settings({name: VALUES[name], f"{name}_FILE": str(path)}, NO_FILE)
    assert str(error.value).startswith(f"{name} and {name}_FILE are both set")


def test_a_setting_that_is_not_secret_has_no_file_variant(tmp_path: Path) -> None:
    path = tmp_path / "port"
    path.write_text("4000")
    assert load_settings({**AUTH, "PORT_FILE": str(path)}, NO_FILE).port == 3000


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: None, "names a file that does not exist"),
        (lambda p: p.write_text("  \n\n"), "names an empty file"),
        (lambda p: p.write_bytes(b"\xff\xfe tok"), "names a file that is not UTF-8 text"),
        (lambda p: p.mkdir(), "names a file that cannot be read"),
    ],
    ids=["missing", "empty", "binary", "directory"],
)
def test_an_unusable_file_stops_start_up_naming_the_variable_and_path(
    tmp_path: Path, make: Callable[[Path], object], says: str
) -> None:
    path = tmp_path / "token"
    make(path)
    with pytest.raises(ConfigError) as error:
        load_settings({"AUTH_TOKEN_FILE": str(path)}, NO_FILE)
    assert str(error.value).startswith(f"AUTH_TOKEN_FILE {says}: {path}")


def test_a_bad_value_in_a_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    path = tmp_path / "redis"
    path.write_text("http://:hunter2@cache:6379")
    with pytest.raises(ConfigError) as error:
        load_settings({**AUTH, "REDIS_URL_FILE": str(path)}, NO_FILE)
    assert str(error.value).startswith("REDIS_URL must be ")
    assert "hunter2" not in str(error.value)


def test_the_file_variable_may_come_from_the_env_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("from-a-file")
    env_file = tmp_path / ".env"
    env_file.write_text(f"AUTH_TOKEN_FILE={tmp_path / 'token'}\n")
    assert load_settings({}, str(env_file)).auth_tokens == ("from-a-file",)


@pytest.mark.parametrize(
    ("raw", "values"),
    [
        ("one", ("one",)),
        ("old,new", ("old", "new")),
        (" old , new ,, ", ("old", "new")),
    ],
)
def test_auth_token_and_webhook_secret_take_several_values(
    raw: str, values: tuple[str, ...]
) -> None:
    settings = load_settings({"AUTH_TOKEN": raw, "WEBHOOK_SECRET": raw}, NO_FILE)
    assert (settings.auth_tokens, settings.webhook_secrets) == (values, values)


def test_one_value_per_line_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text("old-token\n\nnew-token\n")
    assert load_settings({"AUTH_TOKEN_FILE": str(path)}, NO_FILE).auth_tokens == (
        "old-token",
        "new-token",
    )


def test_commas_alone_are_no_authentication() -> None:
    with pytest.raises(ConfigError, match="AUTH_TOKEN or WEBHOOK_SECRET must be set"):
        load_settings({"AUTH_TOKEN": " , ,", "WEBHOOK_SECRET": ","}, NO_FILE)


TOKEN_TEXT = st.text(
    alphabet=string.ascii_letters + string.digits + string.punctuation.replace(",", "") + " ",
    min_size=1,
    max_size=80,
).filter(lambda t: t.strip())


@given(tokens=st.lists(TOKEN_TEXT, min_size=1, max_size=4))
def test_any_tokens_written_one_per_line_read_back_as_they_are(tokens: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tokens"
        path.write_text("\n".join(tokens) + "\n")
        settings = load_settings({"AUTH_TOKEN_FILE": str(path)}, NO_FILE)
    assert settings.auth_tokens == tuple(t.strip() for t in tokens)
