"""Support API requests the stand-in's tests share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx


def ticket(
    subject: str = "Router down", external_id: str | None = "oa-1", **extra: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "subject": subject,
        "comment": {"body": "Category: WiFi", "public": False},
        "tags": ["helpdesk_bridge", "category_wifi"],
        **extra,
    }
    if external_id is not None:
        fields["external_id"] = external_id
    return {"ticket": fields}


async def create(
    api: httpx.AsyncClient, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await api.post("/api/v2/tickets", json=body, headers=headers)


async def wait_until(condition: Callable[[], bool], within: float = 5.0) -> bool:
    """Poll ``condition`` (the stand-in's state, in another process) until it holds or
    ``within`` seconds pass; whether it held."""
    for _ in range(int(within / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()
