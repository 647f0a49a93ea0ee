"""Races a real process must win: concurrent duplicates, and SIGTERM with requests in flight."""

from __future__ import annotations

import asyncio
import signal
import socket

import httpx
import pytest

from tests.support.e2e.requests import (
    AUTH,
    HANDOFF,
    JSON_HEADERS,
    assert_ok,
    compact,
    handoff,
    note,
    ticket_number,
    unique,
    unique_caller,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def slow_service(module_service_factory):
    """Every helpdesk call takes 50 ms, so concurrent requests really overlap."""
    return module_service_factory(
        {"MOCK_HELPDESK_LATENCY_MS": "50", "RATE_LIMIT_PER_SECOND": "100000"}
    )


async def next_ticket_number(client) -> int:
    """File an undeduplicated ticket: its number tells how many tickets exist before it."""
    body = assert_ok(await handoff(client, {"note": note("Counting probe")}))
    return ticket_number(body["ticketId"])


async def test_48_concurrent_handoffs_for_one_problem_file_one_ticket(slow_service):
    oa_key = unique()
    payloads = [
        {"note": note(f"Caller {i} reports the same outage"), "oaKey": oa_key, "source": f"a{i}"}
        for i in range(48)
    ]
    async with slow_service.client() as client:
        before = await next_ticket_number(client)
        answers = await asyncio.gather(*(handoff(client, p) for p in payloads))
        after = await next_ticket_number(client)

    bodies = [assert_ok(r) for r in answers]
    assert {b["ticketId"] for b in bodies} == {f"TKT-{before + 1}"}
    assert sum(b["created"] for b in bodies) == 1
    assert after == before + 2  # the probe, one ticket for the 48 hand-offs, the probe


async def test_concurrent_handoffs_by_caller_and_category_file_one_ticket(slow_service):
    caller = unique_caller()
    async with slow_service.client() as client:
        answers = await asyncio.gather(
            *(handoff(client, {"note": note(), "callerNumber": caller}) for _ in range(12))
        )

    bodies = [assert_ok(r) for r in answers]
    assert len({b["ticketId"] for b in bodies}) == 1
    assert sum(b["created"] for b in bodies) == 1


async def test_10_concurrent_duplicates_with_one_idempotency_key(slow_service):
    key = unique("idem")
    body = compact({"note": note("Idempotent under concurrency")})  # no dedup key: only
    headers = {**AUTH, **JSON_HEADERS, "Idempotency-Key": key}  # idempotency prevents a 2nd
    async with slow_service.client() as client:
        before = await next_ticket_number(client)
        answers = await asyncio.gather(
            *(client.post(HANDOFF, content=body, headers=headers) for _ in range(10))
        )
        after = await next_ticket_number(client)

    for response in answers:
        assert_ok(response)
    assert len({r.content for r in answers}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in answers) == 1
    assert answers[0].json()["ticketId"] == f"TKT-{before + 1}"
    assert after == before + 2


def _connection_refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return False
    except ConnectionRefusedError:
        return True


async def test_sigterm_drains_in_flight_requests_then_exits_0(service_factory):
    service = service_factory(
        {"MOCK_HELPDESK_LATENCY_MS": "300", "RATE_LIMIT_PER_SECOND": "100000"}
    )
    sent = 0
    all_sent = asyncio.Event()

    async def trace(event_name: str, _info: dict) -> None:
        nonlocal sent
        if event_name == "http11.send_request_body.complete":
            sent += 1
            if sent == 40:
                all_sent.set()

    async with service.client(limits=httpx.Limits(max_connections=100)) as client:
        in_flight = [
            asyncio.create_task(
                client.post(
                    HANDOFF,
                    content=compact({"note": note(f"In flight {i}")}),
                    headers={**AUTH, **JSON_HEADERS},
                    extensions={"trace": trace},
                )
            )
            for i in range(40)
        ]
        await asyncio.wait_for(all_sent.wait(), 10)
        # One round trip on another connection: the server has read everything sent before it.
        async with service.client() as other:
            assert (await other.get("/healthz")).status_code == 200
        assert not any(task.done() for task in in_flight)  # each takes >= 300 ms

        service.signal()  # SIGTERM
        loop = asyncio.get_running_loop()
        for _ in range(200):
            if await loop.run_in_executor(None, _connection_refused, service.port):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the server still accepts connections after SIGTERM")
        refused_while_draining = not all(task.done() for task in in_flight)

        answers = await asyncio.gather(*in_flight)

    assert [r.status_code for r in answers] == [200] * 40
    assert len({r.json()["ticketId"] for r in answers}) == 40
    assert refused_while_draining
    exit_code = await loop.run_in_executor(None, service.wait)
    assert exit_code == 0


async def test_sigint_stops_the_service_cleanly_too(service_factory):
    """Ctrl-C in a terminal (`make run`): same graceful stop, exit 0."""
    service = service_factory()
    async with service.client() as client:
        assert (await client.get("/healthz")).status_code == 200
    service.signal(signal.SIGINT)
    assert service.wait() == 0
