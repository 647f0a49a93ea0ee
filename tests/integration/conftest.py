"""Fixtures of the in-process integration tests."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.server.lowlevel import Server

from entrypoints.container import Container
from entrypoints.mcp.server import create_mcp_server
from tests.integration.mcp_support import container_for


@pytest.fixture
def container() -> Container:
    """A container on embedded defaults: mock helpdesk, in-memory stores, no auth."""
    return container_for()


@pytest.fixture
def mcp_server(container: Container) -> Server[Any]:
    """The MCP server over ``container`` (reach it with ``mcp.Client(mcp_server)``)."""
    return create_mcp_server(container)
