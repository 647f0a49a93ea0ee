"""The stand-in's people and files: end users by ``external_id``, by a search that lags, made by
``create_or_update``; a user's requested tickets; uploads claimed by a comment. Every exchange
is checked against Zendesk's OpenAPI description (the ``api`` fixture)."""

from __future__ import annotations

import base64

import httpx

from tests.support.standin.client import StandinProcess
from tests.support.standin.directory import SEARCH_LAG_SECONDS
from tests.support.standin.helpers import create, ticket

CALLER = {"name": "Caller +1 415-555-0123", "phone": "+14155550123", "external_id": "hdb-caller:1"}


async def test_create_or_update_makes_one_user_per_external_id(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    made = await api.post("/api/v2/users/create_or_update", json={"user": CALLER})
    again = await api.post(
        "/api/v2/users/create_or_update", json={"user": CALLER | {"external_id": "HDB-CALLER:1"}}
    )
    assert (made.status_code, again.status_code) == (201, 200)
    assert made.json()["user"]["id"] == again.json()["user"]["id"]
    listed = await api.get("/api/v2/users", params={"external_id": "hdb-caller:1"})
    assert [u["id"] for u in listed.json()["users"]] == [made.json()["user"]["id"]]
    assert len(zendesk_standin.users()) == 1
    nameless = await api.post("/api/v2/users/create_or_update", json={"user": {"phone": "+1"}})
    assert nameless.status_code == 422


async def test_the_search_finds_a_user_only_once_its_index_caught_up(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    elsewhere = zendesk_standin.add_user("Jane Doe", "+1 (415) 555-0123")
    await api.post("/api/v2/users/create_or_update", json={"user": CALLER})
    query = {"query": 'role:end-user phone:"+14155550123"'}
    found = await api.get("/api/v2/users/search", params=query)
    assert [u["id"] for u in found.json()["users"]] == [elsewhere]  # ours is not indexed yet
    zendesk_standin.advance_clock(SEARCH_LAG_SECONDS)
    found = await api.get("/api/v2/users/search", params=query)
    assert len(found.json()["users"]) == 2
    agent_query = {"query": "role:agent phone:+14155550123"}
    agents = await api.get("/api/v2/users/search", params=agent_query)
    assert agents.json()["users"] == []


async def test_a_users_requested_tickets_newest_first(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    user = (await api.post("/api/v2/users/create_or_update", json={"user": CALLER})).json()
    user_id = user["user"]["id"]
    mine = [
        (await create(api, ticket(external_id=f"oa-{n}", requester_id=user_id))).json()["ticket"]
        for n in range(3)
    ]
    await create(api, ticket(external_id="someone-else"))
    params = {"sort_by": "created_at", "sort_order": "desc", "per_page": 2}
    listed = await api.get(f"/api/v2/users/{user_id}/tickets/requested", params=params)
    assert [t["id"] for t in listed.json()["tickets"]] == [mine[2]["id"], mine[1]["id"]]
    assert {t["requester_id"] for t in listed.json()["tickets"]} == {user_id}
    assert (await api.get("/api/v2/users/424242/tickets/requested")).status_code == 404
    unknown = await create(api, ticket(requester_id=424242))
    assert unknown.status_code == 422


async def test_an_upload_is_attached_by_the_comment_that_names_it(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    number = (await create(api, ticket())).json()["ticket"]["id"]
    uploaded = await api.post(
        "/api/v2/uploads",
        params={"filename": "transcript.txt"},
        content="Agent: hi\nCaller: é".encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert uploaded.status_code == 201
    token = uploaded.json()["upload"]["token"]
    note = {"ticket": {"comment": {"body": "Summary", "public": False, "uploads": [token]}}}
    assert (await api.put(f"/api/v2/tickets/{number}", json=note)).status_code == 200
    assert (await api.put(f"/api/v2/tickets/{number}", json=note)).status_code == 422  # used
    [stored] = zendesk_standin.tickets()
    [attached] = stored["comments"][1]["attachments"]
    assert (attached["file_name"], attached["content_type"]) == ("transcript.txt", "text/plain")
    assert base64.b64decode(attached["content"]) == "Agent: hi\nCaller: é".encode()
