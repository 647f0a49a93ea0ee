"""Start-up configuration: a bad value stops ``serve`` with one line naming the variable."""

from __future__ import annotations

import pytest

from tests.support.e2e.processes import free_port, run_cli

pytestmark = pytest.mark.e2e


def assert_refused(result, *names: str) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    (line,) = lines
    for name in names:
        assert name in line
    assert "Traceback" not in result.stderr
    return line


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        pytest.param({"PORT": "abc"}, "PORT", id="PORT=abc"),
        pytest.param({"PORT": "70000"}, "PORT", id="PORT=70000"),
        pytest.param({"RATE_LIMIT_PER_SECOND": "0"}, "RATE_LIMIT_PER_SECOND", id="rate=0"),
        pytest.param({"HELPDESK_BACKEND": "nope"}, "HELPDESK_BACKEND", id="backend=nope"),
        pytest.param({"STORE_BACKEND": "disk"}, "STORE_BACKEND", id="store=disk"),
        pytest.param({"LOG_LEVEL": "loud"}, "LOG_LEVEL", id="log=loud"),
        pytest.param({"MOCK_HELPDESK_HEALTHY": "maybe"}, "MOCK_HELPDESK_HEALTHY", id="healthy"),
        pytest.param({"REDIS_MAX_CONNECTIONS": "0"}, "REDIS_MAX_CONNECTIONS", id="redis-pool=0"),
        pytest.param(
            {"REDIS_URL": "redis://bridge:hunter2@cache:port/0"}, "REDIS_URL", id="redis-url"
        ),
        pytest.param({"HELPDESK_BACKEND": "zendesk"}, "HELPDESK_API_URL", id="zendesk-no-url"),
        pytest.param(
            {"HELPDESK_BACKEND": "rt", "HELPDESK_API_URL": "https://rt.example.com"},
            "HELPDESK_API_KEY",
            id="rt-no-token",
        ),
    ],
)
def test_invalid_value_exits_with_one_line_naming_the_variable(env, variable):
    result = run_cli(["serve"], env={"PORT": str(free_port()), **env})

    line = assert_refused(result, variable)
    assert "configuration error" in line
    assert "hunter2" not in result.stderr


def test_refuses_to_start_without_any_authentication():
    result = run_cli(
        ["serve"], env={"AUTH_TOKEN": None, "WEBHOOK_SECRET": None, "PORT": str(free_port())}
    )

    line = assert_refused(result, "AUTH_TOKEN", "WEBHOOK_SECRET")
    assert "must be set" in line


def test_blank_credentials_count_as_missing():
    result = run_cli(
        ["serve"], env={"AUTH_TOKEN": "  ", "WEBHOOK_SECRET": "", "PORT": str(free_port())}
    )

    assert_refused(result, "AUTH_TOKEN", "WEBHOOK_SECRET")


def test_dotenv_file_is_read_and_the_environment_wins():
    from_file = run_cli(["serve"], env={"PORT": None}, dotenv="PORT=abc\n")
    overridden = run_cli(
        ["serve"],
        env={"PORT": str(free_port()), "LOG_LEVEL": "loud"},
        dotenv="PORT=abc\n",
    )

    assert_refused(from_file, "PORT")
    assert_refused(overridden, "LOG_LEVEL")  # PORT from the environment, not the file


def test_several_workers_need_a_shared_store():
    result = run_cli(
        ["serve", "--workers", "2"], env={"STORE_BACKEND": "memory", "PORT": str(free_port())}
    )

    line = assert_refused(result, "--workers", "STORE_BACKEND=redis")
    assert "configuration error" in line
