"""Request Tracker specifics on the real server: where each fact of a hand-off lands."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from adapters.helpdesk.resilience import Resilience
from adapters.helpdesk.rt import RtHelpdesk, RtSettings, build_rt_client
from tests.helpdesk_samples import hand_off
from tests.rt_server import RtServer

pytestmark = [pytest.mark.rt, pytest.mark.timeout(900)]


@pytest.fixture
async def rt(rt_server: RtServer) -> AsyncIterator[tuple[RtHelpdesk, RtSettings]]:
    settings = RtSettings(
        api_url=rt_server.url, token=rt_server.token, external_ref_field=rt_server.custom_field
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
    (field,) = [cf for cf in shown["CustomFields"] if cf["name"] == settings.external_ref_field]
    assert field["values"] == [key]
    content = "".join(a.get("Content", "") for a in parts.json()["items"])
    assert ticket.body in content
    assert "Caller: +14155550123" in content
