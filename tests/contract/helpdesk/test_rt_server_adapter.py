"""Request Tracker specifics on the real server: where each fact of a hand-off lands, how RT's
statuses read, and the set-up check of its custom fields."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest

from adapters.helpdesk.resilience.calls import Resilience
from adapters.helpdesk.rt.gateway import RtHelpdesk, RtSettings, build_rt_client
from domain.ticket import TicketState
from tests.support.helpdesk_samples import hand_off
from tests.support.rt_server import RtServer

pytestmark = [pytest.mark.rt, pytest.mark.timeout(900)]


@pytest.fixture
async def rt(rt_server: RtServer) -> AsyncIterator[tuple[RtHelpdesk, RtSettings]]:
    settings = RtSettings(
        api_url=rt_server.url,
        token=rt_server.token,
        external_ref_field=rt_server.custom_field,
        caller_field=rt_server.caller_field,
    )
    async with build_rt_client(settings) as client:
        yield RtHelpdesk(client, settings, Resilience()), settings


async def test_a_hand_off_lands_in_the_queue_with_its_key(
    rt: tuple[RtHelpdesk, RtSettings], rt_server: RtServer
) -> None:
    gateway, settings = rt
    key = f"oa:{uuid.uuid4().hex}"
    ticket = hand_off(key)
    ref = await gateway.create_ticket(ticket)
    assert ref.url == f"{rt_server.url}/Ticket/Display.html?id={ref.id}"

    async with build_rt_client(settings) as admin:
        shown = (await admin.get(f"/ticket/{ref.id}")).json()
        history = await admin.get(f"/ticket/{ref.id}/history", params={"fields": "Type"})
        (create,) = [t for t in history.json()["items"] if t["Type"] == "Create"]
        parts = await admin.get(
            f"/transaction/{create['id']}/attachments", params={"fields": "Content"}
        )
    assert shown["Subject"] == ticket.subject
    assert shown["Status"] == "new"
    assert shown["Queue"]["id"] == "1"  # General
    values = {cf["name"]: cf["values"] for cf in shown["CustomFields"]}
    assert values[settings.external_ref_field] == [key]
    assert values[settings.caller_field] == ["+14155550123"]
    content = "".join(a.get("Content", "") for a in parts.json()["items"])
    assert ticket.body in content
    assert "Caller: +14155550123" in content


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("open", TicketState.OPEN),
        ("stalled", TicketState.PENDING),
        ("resolved", TicketState.SOLVED),
        ("rejected", TicketState.CLOSED),
    ],
)
async def test_rt_statuses_read_as_the_ports_states(
    rt: tuple[RtHelpdesk, RtSettings], status: str, state: TicketState
) -> None:
    gateway, settings = rt
    ref = await gateway.create_ticket(hand_off(f"oa:{uuid.uuid4().hex}"))
    async with build_rt_client(settings) as admin:
        (await admin.put(f"/ticket/{ref.id}", json={"Status": status})).raise_for_status()
    read = await gateway.get_ticket(ref.id)
    assert read is not None
    assert read.state is state


async def test_the_set_up_check_names_a_missing_custom_field(
    rt: tuple[RtHelpdesk, RtSettings],
) -> None:
    gateway, settings = rt
    assert await gateway.check_setup() == []
    missing = dataclasses.replace(settings, caller_field="NoSuchCallerField")
    async with build_rt_client(missing) as client:
        problems = await RtHelpdesk(client, missing, Resilience()).check_setup()
    assert problems == [
        "ticket custom field 'NoSuchCallerField' (RT_CALLER_FIELD) does not apply to queue"
        " 'General'"
    ]
