"""How a client's MCP message is judged (stdio and /mcp alike), how stdio lines are read, and
how large a tool's error result may grow."""

from __future__ import annotations

import io
import json

import pytest
from mcp.shared.message import SessionMessage
from mcp.types import JSONRPCError
from structlog.testing import capture_logs

from domain.errors import InvalidInput
from entrypoints.mcp.errors import MAX_PROBLEMS, domain_error_result
from entrypoints.mcp.messages import MAX_MESSAGE_DEPTH, parse_message, refusal_of
from entrypoints.mcp.stdio_lines import Overlong, answer_of, leading_id, read_lines

# line -> (JSON-RPC code, id of the answer)
BAD_LINES = {
    b"hello": (-32700, None),
    b'{"jsonrpc":"2.0","id":3,"method":': (-32700, None),
    b'{"id": 7, "x": 1}': (-32600, 7),
    b'{"id": "a", "jsonrpc": "1.0", "method": "m"}': (-32600, "a"),
    b'{"id": true, "x": 1}': (-32600, None),  # a boolean is no id
    b"[1, 2]": (-32600, None),
    b"[" * (MAX_MESSAGE_DEPTH + 1) + b"]" * (MAX_MESSAGE_DEPTH + 1): (-32600, None),
}


@pytest.mark.parametrize(("line", "expected"), BAD_LINES.items())
def test_a_bad_message_gets_its_json_rpc_error_and_one_log_line(line, expected):
    with capture_logs() as logs:
        answer = parse_message(line)
    assert isinstance(answer, JSONRPCError)
    assert (answer.error.code, answer.id) == expected
    assert [entry["event"] for entry in logs] == ["mcp.malformed_message"]
    assert logs[0]["message_bytes"] == len(line)


def test_a_good_message_passes_and_http_refusals_name_their_code():
    good = b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
    assert isinstance(parse_message(good), SessionMessage)
    assert refusal_of(good) is None
    refused = refusal_of(b"nope")
    assert refused is not None
    assert json.loads(refused[0])["error"]["code"] == -32700
    assert refused[1] == "MCP_PARSE_ERROR"


def test_lines_longer_than_the_limit_are_read_past_and_named():
    source = io.BytesIO(b'{"jsonrpc":"2.0","id":42,' + b"x" * 500 + b"\nshort\n\n")
    items = list(read_lines(source, limit=100))
    assert isinstance(items[0], Overlong)
    assert items[0].size == 526
    assert items[1:] == [b"short", b""]
    answer = answer_of(items[0])
    assert isinstance(answer, JSONRPCError)
    assert (answer.error.code, answer.id) == (-32600, 42)
    assert answer_of(b"  ") is None


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b'{"jsonrpc":"2.0","id":"abc","method"', "abc"),
        (b'{"id": -3, "jsonrpc"', -3),
        (b'{"jsonrpc":"2.0","method":"x","id":4', None),  # not leading: not guessed
        (b"garbage", None),
    ],
)
def test_the_id_of_an_overlong_line_is_read_only_where_clients_put_it(head, found):
    assert leading_id(head) == found


def test_an_error_result_names_the_first_problems_and_counts_the_rest():
    problems = {f"field{i}": ["x" * 10_000, "second", "third"] for i in range(50)}
    result = domain_error_result(InvalidInput(problems))
    text = result.content[0].text
    assert len(text.encode()) <= 4_096
    envelope = json.loads(text)
    assert len(envelope["details"]) == MAX_PROBLEMS
    assert f"and {50 - MAX_PROBLEMS} more" in envelope["message"]
