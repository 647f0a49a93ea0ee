"""The stand-in's Support API routes for people and files (directory.py keeps them):

- ``GET /api/v2/users?external_id=...`` -> 200 ``{"users", "next_page", "previous_page",
  "count"}``, current at once (a listing, not the search index).
- ``GET /api/v2/users/search?query=...`` -> 200 ``{"users", ...}``: ``key:value`` terms (role,
  phone, external_id, name), finding users only once the search index caught up with them;
  ``?external_id=`` is an exact look-up as in the listing.
- ``POST /api/v2/users/create_or_update`` ``{"user": {...}}`` -> 201 (made) or 200 (updated)
  ``{"user"}``, identified by ``external_id``.
- ``GET /api/v2/users/{id}/tickets/requested`` -> 200 ``{"tickets", ...}``; ``sort_by``
  (``created_at``, ``updated_at``, ``id``) and ``sort_order``, ``per_page`` (<= 100).
- ``POST /api/v2/uploads?filename=...`` with the raw bytes -> 201 ``{"upload": {"token",
  "attachment", "attachments"}}``; a comment's ``uploads`` list attaches them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from tests.support.standin.asgi import Answer, Request, error, page
from tests.support.standin.directory import Directory, Refused

PEOPLE_ROUTES = ("users", "search_users", "upsert_user", "requested", "upload")
MAX_PER_PAGE = 100
SORTABLE = frozenset({"created_at", "updated_at", "id"})


class Requested(Protocol):
    """A ticket as these routes read it (the stand-in's and the respx fake's alike)."""

    id: int
    requester_id: int
    created_at: str
    updated_at: str

    def as_zendesk(self, base_url: str) -> dict[str, Any]: ...


def people_route(method: str, rest: list[str]) -> tuple[str, int | None] | None:
    """(route, user id) for the path after ``/api/v2/``, or None when it is not one of these."""
    if rest == ["users"] and method == "GET":
        return "users", None
    if rest == ["users", "search"] and method == "GET":
        return "search_users", None
    if rest == ["users", "create_or_update"] and method == "POST":
        return "upsert_user", None
    if rest == ["uploads"] and method == "POST":
        return "upload", None
    if (
        len(rest) == 4
        and rest[0] == "users"
        and rest[1].isdigit()
        and rest[2:] == ["tickets", "requested"]
        and method == "GET"
    ):
        return "requested", int(rest[1])
    return None


def serve_people(
    directory: Directory,
    tickets: Iterable[Requested],
    request: Request,
    route: str,
    user_id: int | None,
) -> Answer:
    """Answer one authenticated people/files call."""
    base = request.base_url
    if route in ("users", "search_users"):
        external_id = request.param("external_id")
        if external_id is not None:
            found = directory.by_external_id(external_id)
        elif route == "search_users":
            found = directory.search(request.param("query") or "")
        else:
            found = list(directory.users.values())
        return page("users", [u.as_zendesk(base) for u in found])
    if route == "upsert_user":
        fields = request.json_object().get("user")
        if not isinstance(fields, dict):
            return error(400, "InvalidJSON", "no user object in the body")
        try:
            user, made = directory.create_or_update(fields)
        except Refused as e:
            return error(422, "RecordInvalid", str(e))
        return Answer(201 if made else 200, {"user": user.as_zendesk(base)})
    if route == "upload":
        filename = request.param("filename")
        if not filename:
            return error(400, "InvalidParameter", "filename is required")
        content_type = request.headers.get("content-type", "application/octet-stream")
        token, stored = directory.upload(filename, content_type, request.body)
        attachment = stored.as_zendesk(base)
        upload = {"token": token, "attachment": attachment, "attachments": [attachment]}
        return Answer(201, {"upload": upload})
    return _requested(directory, tickets, request, user_id or 0)


def _requested(
    directory: Directory, tickets: Iterable[Requested], request: Request, user_id: int
) -> Answer:
    if user_id not in directory.users:
        return error(404, "RecordNotFound", "Not found")
    sort_by = request.param("sort_by") or "id"
    if sort_by not in SORTABLE:
        return error(400, "InvalidParameter", f"sort_by must be one of {sorted(SORTABLE)}")
    per_page = request.param("per_page") or str(MAX_PER_PAGE)
    if not per_page.isdigit() or not 1 <= int(per_page) <= MAX_PER_PAGE:
        return error(400, "InvalidParameter", f"per_page must be 1-{MAX_PER_PAGE}")
    found = [t for t in tickets if t.requester_id == user_id]
    found.sort(
        key=lambda t: ("" if sort_by == "id" else getattr(t, sort_by) or t.created_at, t.id),
        reverse=request.param("sort_order") == "desc",
    )
    return page("tickets", [t.as_zendesk(request.base_url) for t in found[: int(per_page)]])
