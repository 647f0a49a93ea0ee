"""Checks the stand-in's Support API traffic against Zendesk's OpenAPI description, through the
contract suite's ``ZendeskContract`` (tests/support/helpdesk/zendesk_openapi.py).

The description's only server is ``https://{subdomain}.zendesk.com``, so each request is checked
as if it had been sent there, and a path's ``.json`` suffix (which Zendesk accepts, the
description does not spell) is dropped; the query, headers and body are the stand-in's own.
"""

from __future__ import annotations

import httpx

from tests.support.helpdesk.zendesk_openapi import ZendeskContract

SPEC_HOST = "example.zendesk.com"


def as_sent_to_zendesk(request: httpx.Request) -> httpx.Request:
    path = request.url.path.removesuffix(".json")
    url = request.url.copy_with(scheme="https", host=SPEC_HOST, port=None, path=path)
    return httpx.Request(request.method, url, headers=request.headers, content=request.content)


class TrafficCheck:
    """An httpx response hook collecting what the description rejects in ``violations``."""

    def __init__(self, contract: ZendeskContract) -> None:
        self._contract = contract
        self.checked = 0
        self.violations: list[str] = []

    async def __call__(self, response: httpx.Response) -> None:
        await response.aread()
        if response.request.url.path.startswith("/api/v2/"):
            self.checked += 1
            request = as_sent_to_zendesk(response.request)
            self.violations.extend(self._contract.check(request, response))

    def install(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        client.event_hooks["response"].append(self)
        return client
