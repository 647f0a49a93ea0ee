"""The operator's defaults (the settings' declaration) are the adapters' own defaults, so an
adapter built directly behaves as the service built from an empty configuration; and where the
outbox file goes when OUTBOX_PATH is empty."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from adapters.helpdesk.mock import MockHelpdesk
from adapters.helpdesk.resilience.policy import RetryPolicy
from adapters.helpdesk.zendesk.oauth import ClientSecret
from adapters.helpdesk.zendesk.users import CACHE_SECONDS
from entrypoints.config.sections import OutboxSettings, default_outbox_path
from entrypoints.config.settings import load_settings


def _default(callable_: object, name: str) -> object:
    return inspect.signature(callable_).parameters[name].default  # type: ignore[arg-type]


def test_the_settings_defaults_are_the_adapters_defaults() -> None:
    settings = load_settings({"AUTH_TOKEN": "t"}, "/nonexistent/.env")
    helpdesk = settings.helpdesk
    assert settings.mock_helpdesk.url == _default(MockHelpdesk, "base_url")
    assert helpdesk.oauth_scopes == ClientSecret("id", "secret").scopes
    assert helpdesk.timeout_seconds == RetryPolicy().attempt_timeout_seconds
    assert helpdesk.retry_budget_seconds == RetryPolicy().budget_seconds
    assert helpdesk.requester_cache_seconds == CACHE_SECONDS


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_STATE_HOME is Linux's")
def test_the_default_outbox_is_in_the_users_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    expected = tmp_path / "helpdesk-bridge" / "outbox.sqlite3"
    assert default_outbox_path() == expected
    assert OutboxSettings().file() == expected
    assert OutboxSettings(path="/srv/outbox.db").file() == Path("/srv/outbox.db")
