"""The Zendesk stand-in answers like Zendesk: the Support API subset the bridge uses, checked
against Zendesk's OpenAPI description; Idempotency-Key on create as Zendesk documents it; auth;
and the bridge's own Zendesk adapter filing, finding and appending through it."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from adapters.helpdesk.resilience.calls import Resilience, RetryPolicy
from adapters.helpdesk.zendesk.gateway import ZendeskHelpdesk, build_zendesk_client
from tests.support.helpdesk_samples import hand_off
from tests.support.standin.client import StandinProcess
from tests.support.standin.helpers import create, ticket, wait_until
from tests.support.standin.traffic import TrafficCheck

pytestmark = pytest.mark.e2e


async def test_every_served_call_conforms_to_zendesk_openapi(
    api: httpx.AsyncClient, traffic: TrafficCheck
) -> None:
    created = await create(api, ticket(), key="conform-1")
    number = created.json()["ticket"]["id"]
    answers = [
        created,
        await create(api, ticket(), key="conform-1"),
        await api.get("/api/v2/tickets", params={"external_id": "oa-1"}),
        await api.get(f"/api/v2/tickets/{number}"),
        await api.put(
            f"/api/v2/tickets/{number}",
            json={"ticket": {"comment": {"body": "more", "public": False}}},
        ),
        await api.get("/api/v2/users/me"),
    ]
    assert [a.status_code for a in answers] == [201, 201, 200, 200, 200, 200]
    assert traffic.checked == len(answers)  # the fixture asserts none was rejected


async def test_the_conformance_check_rejects_what_zendesk_would_not_answer(
    traffic: TrafficCheck,
) -> None:
    request = httpx.Request("GET", "http://127.0.0.1:1/api/v2/users/me")
    await traffic(httpx.Response(200, json={"user": "not an object"}, request=request))
    assert traffic.violations, "a check that accepts anything proves nothing"


async def test_a_create_answers_the_ticket_zendesk_style(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    answer = await create(api, ticket(requester={"name": "Caller", "phone": "+14155550123"}))
    assert answer.status_code == 201
    body = answer.json()["ticket"]
    assert body["url"] == f"{zendesk_standin.url}/api/v2/tickets/{body['id']}.json"
    assert (body["external_id"], body["status"]) == ("oa-1", "new")
    assert body["tags"] == ["helpdesk_bridge", "category_wifi"]
    assert body["created_at"].endswith("Z")
    assert "x-idempotency-lookup" not in answer.headers  # no key, no lookup
    [stored] = zendesk_standin.tickets()
    assert stored["requester"] == {"name": "Caller", "phone": "+14155550123"}
    assert stored["comments"] == [{"body": "Category: WiFi", "public": False, "attachments": []}]
    [user] = zendesk_standin.users()  # a requester object makes a new end user, as in Zendesk
    assert (user["id"], user["role"]) == (stored["requester_id"], "end-user")


async def test_same_key_same_parameters_answers_the_first_ticket(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    first = await create(api, ticket(), key="same-1")
    zendesk_standin.set_status(first.json()["ticket"]["id"], "open")  # replay = first answer
    reordered = {"ticket": dict(reversed(list(ticket()["ticket"].items())))}
    again = await create(api, reordered, key="same-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.headers["x-idempotency-lookup"] == "miss"
    assert again.headers["x-idempotency-lookup"] == "hit"
    assert again.json() == first.json()
    assert len(zendesk_standin.tickets()) == 1


async def test_same_key_other_parameters_is_refused(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    await create(api, ticket(), key="other-1")
    refused = await create(api, ticket(subject="Another problem"), key="other-1")
    assert refused.status_code == 400
    assert refused.json()["error"] == "IdempotentRequestError"
    assert len(zendesk_standin.tickets()) == 1


async def test_a_key_whose_first_request_is_in_progress_answers_409(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    zendesk_standin.slow_creates(1.0)
    first = asyncio.create_task(create(api, ticket(), key="busy-1"))
    assert await wait_until(lambda: zendesk_standin.calls()["create"] == 1)
    during = await create(api, ticket(), key="busy-1")
    assert during.status_code == 409
    assert (await first).status_code == 201
    zendesk_standin.slow_creates(0)
    after = await create(api, ticket(), key="busy-1")
    assert after.headers["x-idempotency-lookup"] == "hit"
    assert len(zendesk_standin.tickets()) == 1
    log = [(c["idempotency_key"], c["status"], c["lookup"]) for c in zendesk_standin.creates()]
    assert log == [("busy-1", 409, None), ("busy-1", 201, "miss"), ("busy-1", 201, "hit")]


@pytest.mark.parametrize(("ttl", "kept_for"), [(None, 7200.0), (30.0, 30.0)])
async def test_keys_expire_after_their_time(
    tmp_path_factory: pytest.TempPathFactory, ttl: float | None, kept_for: float
) -> None:
    standin = StandinProcess(tmp_path_factory.mktemp("standin-ttl"), idempotency_ttl=ttl)
    try:
        standin.start()
        settings = standin.zendesk_settings()
        async with build_zendesk_client(settings) as client:
            first = await client.post(
                "/api/v2/tickets", json=ticket(), headers={"Idempotency-Key": "t"}
            )
            standin.advance_clock(kept_for - 1)
            inside = await client.post(
                "/api/v2/tickets", json=ticket(), headers={"Idempotency-Key": "t"}
            )
            standin.advance_clock(2)
            past = await client.post(
                "/api/v2/tickets", json=ticket(), headers={"Idempotency-Key": "t"}
            )
        assert inside.json()["ticket"]["id"] == first.json()["ticket"]["id"]
        assert past.headers["x-idempotency-lookup"] == "miss"
        assert len(standin.tickets()) == 2
    finally:
        standin.kill()


async def test_external_id_lookup_is_current_at_once(api: httpx.AsyncClient) -> None:
    for external_id in ("oa-a", "oa-a", "oa-b"):
        await create(api, ticket(external_id=external_id))

    async def listed(external_id: str) -> list[str]:
        answer = await api.get("/api/v2/tickets.json", params={"external_id": external_id})
        return [t["external_id"] for t in answer.json()["tickets"]]

    assert await listed("oa-a") == ["oa-a", "oa-a"]
    assert await listed("oa-b") == ["oa-b"]
    assert await listed("oa-none") == []


async def test_show_and_update_a_ticket(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    number = (await create(api, ticket())).json()["ticket"]["id"]
    note = {"ticket": {"comment": {"body": "Caller called again", "public": False}}}
    updated = await api.put(f"/api/v2/tickets/{number}", json=note)
    assert updated.json()["audit"]["events"][0]["body"] == "Caller called again"
    assert (await api.get(f"/api/v2/tickets/{number}")).json()["ticket"]["id"] == number
    [stored] = zendesk_standin.tickets()
    assert stored["comments"][1] == {
        "body": "Caller called again",
        "public": False,
        "attachments": [],
    }
    zendesk_standin.set_status(number, "closed")
    assert (await api.put(f"/api/v2/tickets/{number}", json=note)).status_code == 422
    assert (await api.get("/api/v2/tickets/999999")).status_code == 404
    assert (await api.put("/api/v2/tickets/999999", json=note)).status_code == 404


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@pytest.mark.parametrize(
    ("authorization", "path", "status"),
    [
        (None, "/api/v2/tickets/1", 401),
        (_basic("bridge@example.com/token", "wrong"), "/api/v2/tickets?external_id=x", 401),
        (_basic("bridge@example.com", "standin-api-token"), "/api/v2/users/me", 401),
        ("Bearer wrong", "/api/v2/users/me", 401),
        ("Bearer standin-oauth-token", "/api/v2/tickets?external_id=x", 200),
        (_basic("bridge@example.com/token", "standin-api-token"), "/api/v2/users/me", 200),
    ],
)
async def test_auth(
    zendesk_standin: StandinProcess, authorization: str | None, path: str, status: int
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with httpx.AsyncClient(base_url=zendesk_standin.url, trust_env=False) as client:
        answer = await client.get(path, headers=headers)
    assert answer.status_code == status
    if status == 401:
        assert answer.json() == {"error": "Couldn't authenticate you"}


async def test_users_me_answers_anonymous_callers_with_no_user_id(
    zendesk_standin: StandinProcess,
) -> None:
    async with httpx.AsyncClient(base_url=zendesk_standin.url, trust_env=False) as client:
        answer = await client.get("/api/v2/users/me")
    assert answer.status_code == 200
    assert answer.json()["user"]["id"] is None


async def test_the_bridges_zendesk_adapter_files_finds_and_appends(
    zendesk_standin: StandinProcess, traffic: TrafficCheck
) -> None:
    settings = zendesk_standin.zendesk_settings()
    async with traffic.install(build_zendesk_client(settings)) as client:
        gateway = ZendeskHelpdesk(client, settings, Resilience(RetryPolicy()))
        assert await gateway.check_health()
        filed = await gateway.create_ticket(hand_off("oa-adapter", request_key="k-adapter"))
        assert await gateway.create_ticket(hand_off("oa-adapter", request_key="k-adapter")) == filed
        found = await gateway.find_open_ticket(["oa-adapter"])
        await gateway.append_note(filed.id, "Caller called again", None)
    assert found == filed
    assert filed.url == f"{zendesk_standin.url}/agent/tickets/{filed.id}"
    [stored] = zendesk_standin.tickets()
    assert (str(stored["id"]), stored["external_id"]) == (filed.id, "oa-adapter")
    assert stored["idempotency_key"] == "k-adapter"
    assert "Caller called again" in stored["comments"][-1]["body"]
    assert traffic.violations == []
