"""Fixtures of the in-process integration tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio
from mcp.server.lowlevel import Server

from entrypoints.bootstrap.container import Container
from entrypoints.mcp.server import create_mcp_server
from tests.support.inprocess import InProcessService
from tests.support.mcp_inprocess import container_for


@pytest.fixture
def container() -> Container:
    """A container on embedded defaults: mock helpdesk, in-memory stores, no auth."""
    return container_for()


@pytest.fixture
def mcp_server(container: Container) -> Server[Any]:
    """The MCP server over ``container`` (reach it with ``mcp.Client(mcp_server)``)."""
    return create_mcp_server(container)


@pytest.fixture(scope="module")
def service() -> InProcessService:
    """The app of ``serve`` in this process, shared by a module's tests, with no practical rate
    limit (a test of the limit builds its own)."""
    return InProcessService({"RATE_LIMIT_PER_SECOND": "100000"})


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix unique to the test; its keys are deleted afterwards."""
    namespace = f"hdb-it:{uuid.uuid4().hex[:12]}:"
    yield namespace
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
