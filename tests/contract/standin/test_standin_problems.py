"""Problems and incidents in the stand-in, as in Zendesk: ``type`` and ``problem_id`` on create
and update, in every ticket representation; a problem's incidents listed; solving a problem (by
the API or by an agent) solves its open incidents; a ``problem_id`` that is no problem refused
with Zendesk's 422. Every exchange is checked against Zendesk's OpenAPI description (the ``api``
fixture)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.support.standin.client import StandinProcess
from tests.support.standin.helpers import create, ticket

pytestmark = pytest.mark.e2e


async def filed(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    answer = await create(api, ticket(**fields))
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()["ticket"]
    return created


async def put(api: httpx.AsyncClient, number: int, **fields: Any) -> httpx.Response:
    return await api.put(f"/api/v2/tickets/{number}", json={"ticket": fields})


async def test_incidents_are_created_and_linked_and_every_answer_shows_it(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    problem = await filed(api, subject="Outage in 94110", external_id="outage-1", type="problem")
    born = await filed(api, external_id="oa-1", type="incident", problem_id=problem["id"])
    later = await filed(api, external_id="oa-2")
    moved = await put(api, later["id"], type="incident", problem_id=problem["id"])

    assert (problem["type"], problem["problem_id"], problem["has_incidents"]) == (
        "problem",
        None,
        False,
    )
    assert (born["type"], born["problem_id"]) == ("incident", problem["id"])
    assert (later["type"], later["problem_id"]) == (None, None)
    assert moved.status_code == 200
    assert (moved.json()["ticket"]["type"], moved.json()["ticket"]["problem_id"]) == (
        "incident",
        problem["id"],
    )
    changes = {e["field_name"]: e["value"] for e in moved.json()["audit"]["events"]}
    assert changes == {"type": "incident", "problem_id": problem["id"]}
    shown = (await api.get(f"/api/v2/tickets/{problem['id']}")).json()["ticket"]
    assert shown["has_incidents"] is True
    listed = await api.get("/api/v2/tickets", params={"external_id": "oa-2"})
    assert [t["problem_id"] for t in listed.json()["tickets"]] == [problem["id"]]
    incidents = (await api.get(f"/api/v2/tickets/{problem['id']}/incidents.json")).json()
    assert [t["id"] for t in incidents["tickets"]] == [born["id"], later["id"]]
    assert incidents["count"] == 2
    assert (await api.get(f"/api/v2/tickets/{born['id']}/incidents")).json()["tickets"] == []
    assert (await api.get("/api/v2/tickets/999999/incidents")).status_code == 404
    records = {t["id"]: (t["type"], t["problem_id"]) for t in zendesk_standin.tickets()}
    assert records == {
        problem["id"]: ("problem", None),
        born["id"]: ("incident", problem["id"]),
        later["id"]: ("incident", problem["id"]),
    }
    assert [t["id"] for t in zendesk_standin.incidents(problem["id"])] == [born["id"], later["id"]]


async def test_an_incident_leaves_its_problem_when_moved_or_no_longer_an_incident(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    first = await filed(api, external_id="p-1", type="problem")
    second = await filed(api, external_id="p-2", type="problem")
    incident = await filed(api, type="incident", problem_id=first["id"])
    await put(api, incident["id"], problem_id=second["id"])
    assert zendesk_standin.incidents(first["id"]) == []
    assert [t["id"] for t in zendesk_standin.incidents(second["id"])] == [incident["id"]]
    question = (await put(api, incident["id"], type="question")).json()["ticket"]
    assert (question["type"], question["problem_id"]) == ("question", None)
    shown = (await api.get(f"/api/v2/tickets/{second['id']}")).json()["ticket"]
    assert shown["has_incidents"] is False


async def test_solving_a_problem_through_the_api_solves_its_open_incidents_with_its_comment(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    problem = await filed(api, external_id="outage", type="problem")
    opened, pending, done = [
        (await filed(api, external_id=f"oa-{n}", type="incident", problem_id=problem["id"]))["id"]
        for n in range(3)
    ]
    bystander = (await filed(api, external_id="oa-other"))["id"]
    await put(api, pending, status="pending")
    zendesk_standin.set_status(done, "solved")
    fixed = {"body": "The line is back.", "public": True}

    solved = await put(api, problem["id"], status="solved", comment=fixed)

    assert solved.json()["ticket"]["status"] == "solved"
    by_id = {t["id"]: t for t in zendesk_standin.tickets()}
    assert [by_id[n]["status"] for n in (opened, pending, done)] == ["solved"] * 3
    for number in (opened, pending):
        assert by_id[number]["comments"][-1] == {**fixed, "attachments": []}
    assert len(by_id[done]["comments"]) == 1  # solved before: not touched again
    assert by_id[bystander]["status"] == "new"


async def test_an_agent_solving_a_problem_solves_its_open_incidents(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    problem = await filed(api, external_id="outage", type="problem")
    incidents = [
        (await filed(api, external_id=f"oa-{n}", type="incident", problem_id=problem["id"]))["id"]
        for n in range(2)
    ]
    zendesk_standin.set_status(incidents[1], "closed")

    zendesk_standin.set_status(problem["id"], "solved")

    by_id = {t["id"]: t for t in zendesk_standin.tickets()}
    assert [by_id[n]["status"] for n in incidents] == ["solved", "closed"]
    assert len(by_id[incidents[0]]["comments"]) == 1  # no comment from an agent's click


@pytest.mark.parametrize("target", ["missing", "question", "incident"])
async def test_a_problem_id_that_is_not_a_problem_gets_zendesks_422_and_changes_nothing(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess, target: str
) -> None:
    problem = await filed(api, external_id="p", type="problem")
    plain = await filed(api, external_id="plain")
    others = {
        "missing": 999999,
        "question": (await filed(api, external_id="q", type="question"))["id"],
        "incident": (await filed(api, type="incident", problem_id=problem["id"]))["id"],
    }
    target_id = others[target]
    before = zendesk_standin.tickets()

    on_create = await create(api, ticket(type="incident", problem_id=target_id))
    on_update = await put(api, plain["id"], type="incident", problem_id=target_id)

    for refused in (on_create, on_update):
        assert refused.status_code == 422
        body = refused.json()
        assert (body["error"], body["description"]) == ("RecordInvalid", "Record validation errors")
        [detail] = body["details"]["problem_id"]
        assert set(detail) == {"description", "error"}
        assert str(target_id) in detail["description"]
    assert zendesk_standin.tickets() == before


async def test_update_many_links_tickets_to_a_problem_in_one_background_job(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    problem = await filed(api, external_id="outage", type="problem")
    numbers = [(await filed(api, external_id=f"oa-{n}"))["id"] for n in range(3)]
    zendesk_standin.delay_jobs(0.5)
    link = {"ticket": {"type": "incident", "problem_id": problem["id"]}}
    ids = ",".join(str(n) for n in [*numbers, 999999])

    queued = await api.put("/api/v2/tickets/update_many", params={"ids": ids}, json=link)

    assert queued.status_code == 200
    job = queued.json()["job_status"]
    assert (job["status"], job["total"], job["progress"], job["results"]) == ("queued", 4, 0, None)
    assert zendesk_standin.incidents(problem["id"]) == []  # the job has not run yet
    assert job["url"] == f"{zendesk_standin.url}/api/v2/job_statuses/{job['id']}.json"
    done = await completed(api, job["id"])
    assert (done["progress"], done["total"]) == (4, 4)
    assert done["results"][:3] == [
        {"id": n, "action": "update", "status": "Updated", "success": True} for n in numbers
    ]
    assert done["results"][3]["success"] is False
    assert done["results"][3]["error"] == "RecordNotFound"
    assert [t["id"] for t in zendesk_standin.incidents(problem["id"])] == numbers
    calls = zendesk_standin.calls()
    assert (calls["update_many"], calls["update"]) == (1, 0)


async def test_update_many_takes_a_list_of_tickets_and_refuses_more_than_a_hundred(
    api: httpx.AsyncClient, zendesk_standin: StandinProcess
) -> None:
    problem = await filed(api, external_id="outage", type="problem")
    incident = await filed(api, type="incident", problem_id=problem["id"])
    batch = {
        "tickets": [
            {"id": problem["id"], "status": "solved", "comment": {"body": "Fixed."}},
            {"id": incident["id"] + 1, "status": "open"},
        ]
    }
    job = (await api.put("/api/v2/tickets/update_many", json=batch)).json()["job_status"]
    done = await completed(api, job["id"])
    assert [r["success"] for r in done["results"]] == [True, False]
    by_id = {t["id"]: t for t in zendesk_standin.tickets()}
    assert by_id[incident["id"]]["status"] == "solved"  # the problem's solve reached it
    assert (await api.get("/api/v2/job_statuses/0123abcd")).status_code == 404
    too_many = {"tickets": [{"id": n, "status": "open"} for n in range(1, 102)]}
    auth = (f"{zendesk_standin.email}/token", zendesk_standin.api_token)
    async with httpx.AsyncClient(
        base_url=zendesk_standin.url, auth=auth, trust_env=False
    ) as unchecked:  # the description forbids it (maxItems): sent past the traffic check
        refused = await unchecked.put("/api/v2/tickets/update_many", json=too_many)
    assert refused.status_code == 400


async def completed(api: httpx.AsyncClient, job_id: str, within: float = 5.0) -> dict[str, Any]:
    """Poll the job's status, as a client of Zendesk does, until it is completed."""
    for _ in range(int(within / 0.05)):
        job: dict[str, Any] = (await api.get(f"/api/v2/job_statuses/{job_id}")).json()["job_status"]
        if job["status"] == "completed":
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job['status']} after {within} s")
