"""The people and files of a Zendesk stand-in: end users (found by ``external_id``, by phone
through a search that lags, made by ``create_or_update``), the requester of a new ticket, and
uploads waiting for a comment to claim their token. Shared by the stand-in process (zendesk.py)
and the contract suite's respx fake, so both behave as one Zendesk.

As Zendesk does: ``external_id`` is unique per account and compared without case;
``create_or_update`` identifies the user by it (or by e-mail) and updates that one, else makes a
new end user (201 / 200); a ticket's ``requester`` object without an e-mail makes a new user
every time (which is why the bridge sends ``requester_id``); the Search API only finds a user
``SEARCH_LAG_SECONDS`` after it was made (minutes, in Zendesk); an upload token attaches its
file to the comment that names it, once.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

AGENT_ID = 1
"""The agent the bridge authenticates as: the requester when a ticket names none."""
FIRST_USER_ID = 9001
SEARCH_LAG_SECONDS = 120.0
_TERM = re.compile(r'(\w+):(?:"([^"]*)"|(\S+))')


class Refused(Exception):
    """A request Zendesk would answer 422 ``RecordInvalid``; the message says why."""


def _digits(value: object) -> str:
    return re.sub(r"\D", "", value) if isinstance(value, str) else ""


def _matches(user: StoredUser, key: str, value: str) -> bool:
    """One search term: a phone matches on its digits (however it was typed), the rest as is."""
    if key == "phone":
        return bool(_digits(value)) and _digits(user.phone) == _digits(value)
    return str(getattr(user, key, None)) == value


@dataclass
class StoredUser:
    id: int
    name: str
    phone: str | None
    external_id: str | None
    role: str
    created_at: str
    indexed_at: float
    """When the Search API starts to find this user (the stand-in's monotonic clock)."""

    def as_zendesk(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": f"{base_url}/api/v2/users/{self.id}.json",
            "name": self.name,
            "phone": self.phone,
            "external_id": self.external_id,
            "role": self.role,
            "active": True,
            "verified": False,
            "created_at": self.created_at,
            "updated_at": self.created_at,
        }


@dataclass
class StoredFile:
    file_name: str
    content_type: str
    data: bytes
    id: int

    def as_zendesk(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "file_name": self.file_name,
            "content_type": self.content_type,
            "content_url": f"{base_url}/attachments/token/{self.id}/?name={self.file_name}",
            "size": len(self.data),
            "inline": False,
            "deleted": False,
            "thumbnails": [],
        }

    def as_record(self) -> dict[str, Any]:
        """What a test checks: the file as an agent would download it."""
        return {
            "file_name": self.file_name,
            "content_type": self.content_type,
            "content": base64.b64encode(self.data).decode("ascii"),
        }


@dataclass
class Directory:
    """Users and pending uploads; ``now`` is a monotonic clock, ``timestamp`` Zendesk's format."""

    now: Callable[[], float]
    timestamp: Callable[[], str]
    users: dict[int, StoredUser] = field(default_factory=dict)
    uploads: dict[str, list[StoredFile]] = field(default_factory=dict)
    _next_user: int = FIRST_USER_ID
    _next_file: int = 5001

    # --- users ---------------------------------------------------------------------------------
    def add(
        self,
        name: str,
        phone: str | None = None,
        external_id: str | None = None,
        role: str = "end-user",
        *,
        indexed: bool = False,
    ) -> StoredUser:
        """A new user; ``indexed``: searchable at once (made long ago, elsewhere)."""
        if external_id is not None and self.by_external_id(external_id):
            raise Refused("External has already been taken")
        now = self.now()
        user = StoredUser(
            id=self._next_user,
            name=name,
            phone=phone,
            external_id=external_id,
            role=role,
            created_at=self.timestamp(),
            indexed_at=now if indexed else now + SEARCH_LAG_SECONDS,
        )
        self._next_user += 1
        self.users[user.id] = user
        return user

    def by_external_id(self, external_id: str) -> list[StoredUser]:
        wanted = external_id.lower()
        return [u for u in self.users.values() if (u.external_id or "").lower() == wanted]

    def search(self, query: str) -> list[StoredUser]:
        """Users matching every ``key:value`` term (``role``, ``phone``, ``external_id``,
        ``name``) of the query, among those the search index has caught up with."""
        terms = [(key, quoted or bare) for key, quoted, bare in _TERM.findall(query)]
        now = self.now()
        return [
            u
            for u in self.users.values()
            if u.indexed_at <= now and terms and all(_matches(u, k, v) for k, v in terms)
        ]

    def create_or_update(self, fields: dict[str, Any]) -> tuple[StoredUser, bool]:
        """(the user, whether it was made) for a ``create_or_update`` body's ``user``."""
        external_id = fields.get("external_id")
        known = self.by_external_id(external_id) if isinstance(external_id, str) else []
        if known:
            user = known[0]
            for name in ("name", "phone"):
                if isinstance(fields.get(name), str):
                    setattr(user, name, fields[name])
            return user, False
        name = fields.get("name")
        if not isinstance(name, str) or not name:
            raise Refused("Name: is too short")
        made = self.add(
            name,
            fields.get("phone") if isinstance(fields.get("phone"), str) else None,
            external_id if isinstance(external_id, str) else None,
            str(fields.get("role") or "end-user"),
        )
        return made, True

    def requester_of(self, ticket: dict[str, Any]) -> int:
        """The requester of a new ticket: ``requester_id`` (a user that exists), else a new user
        from a ``requester`` object, else the agent filing it."""
        requester_id = ticket.get("requester_id")
        if requester_id is not None:
            if requester_id not in self.users:
                raise Refused("Requester: is invalid")
            return int(requester_id)
        requester = ticket.get("requester")
        if isinstance(requester, dict) and isinstance(requester.get("name"), str):
            phone = requester.get("phone")
            return self.add(requester["name"], phone if isinstance(phone, str) else None).id
        return AGENT_ID

    # --- uploads -------------------------------------------------------------------------------
    def upload(self, file_name: str, content_type: str, data: bytes) -> tuple[str, StoredFile]:
        token = secrets.token_hex(8)
        stored = StoredFile(file_name, content_type, data, self._next_file)
        self._next_file += 1
        self.uploads[token] = [stored]
        return token, stored

    def claim(self, tokens: object) -> list[StoredFile]:
        """The files of a comment's ``uploads`` (each token attaches once; unknown: refused)."""
        if tokens is None:
            return []
        if not isinstance(tokens, list) or any(t not in self.uploads for t in tokens):
            raise Refused("Uploads: a token is invalid or used")
        return [f for token in tokens for f in self.uploads.pop(token)]

    def reset(self) -> None:
        self.users.clear()
        self.uploads.clear()
        self._next_user = FIRST_USER_ID
