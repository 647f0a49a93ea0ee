"""Check fake-Zendesk traffic against Zendesk's own OpenAPI description of the Support API.

The description (``zendesk-support-oas.yaml``, 1.6 MB) is Zendesk's document, kept beside the
project in ``../shared/helpdesks`` where CI has it, never copied in: when it is absent the traffic
is simply not validated. ``ZENDESK_OAS_PATH`` points elsewhere. Parsed once per session.

Loading quirks, handled here: PyYAML resolves a bare ``=`` scalar to the ``tag:yaml.org,2002:value``
tag, which has no constructor; openapi-core's strict spec validator rejects the document's
``type: null`` (so it is turned off); the ``page`` query parameter is a deepObject whose
``oneOf`` schema openapi-core cannot deserialise, so it is narrowed to its object variant; and a
nullable ``enum`` (``TicketObject``'s ``type``, ``priority``, ``support_type``) does not list
null, which a JSON Schema validator then refuses although Zendesk answers it (a ticket without a
type is ``"type": null``), so null is added to those enums; and the batch form of
``update_many`` (``{"tickets": [{"id": 1, ...}]}``) builds each ticket on ``TicketObject``, whose
``id`` is read-only, so openapi-core refuses the very ``id`` the form requires (Zendesk's own
example included): those items are read with a ``TicketObject`` whose ``id`` is writable.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from tests.support.paths import required_shared_file, shared_file

SPEC = "helpdesks/zendesk-support-oas.yaml"
SPEC_OVERRIDE = "ZENDESK_OAS_PATH"


def spec_path() -> Path | None:
    """Zendesk's OpenAPI file (``shared/helpdesks/...``, or ``ZENDESK_OAS_PATH``)."""
    return shared_file(SPEC, SPEC_OVERRIDE)


PATH_IDS = {"tickets": "ticket_id", "users": "user_id"}
"""The path parameter after ``/api/v2/<collection>/`` in the description's templates."""


class _SpecLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loading, plus a constructor for the ``=`` (value) tag."""


_SpecLoader.add_constructor(
    "tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node)
)


class ZendeskContract:
    """Validates one request/answer pair; returns the problems found (empty when it conforms).

    Only 2xx answers are checked: the description lists success responses only.
    """

    def __init__(self, api: OpenAPI) -> None:
        self._api = api

    def check(self, request: httpx.Request, response: httpx.Response) -> list[str]:
        openapi_request = _to_openapi_request(request)
        where = f"{request.method} {request.url.path}"
        problems: list[str] = []
        try:
            self._api.validate_request(openapi_request)
        except Exception as e:
            problems.append(f"request {where}: {e}")
            return problems
        if 200 <= response.status_code < 300:
            openapi_response = MockResponse(
                response.content,
                status_code=response.status_code,
                headers=dict(response.headers),
                content_type=response.headers.get("content-type", "application/json"),
            )
            try:
                self._api.validate_response(openapi_request, openapi_response)
            except Exception as e:
                problems.append(f"response {response.status_code} to {where}: {e}")
        return problems


def required_spec_path() -> Path:
    """Zendesk's OpenAPI file, or the calling test skips (fails under CI) without it."""
    return required_shared_file(SPEC, SPEC_OVERRIDE, "Zendesk's OpenAPI description")


def load_zendesk_contract(path: Path) -> ZendeskContract:
    """The parsed description."""
    with path.open("rb") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_SpecLoader)  # noqa: S506 - safe loader
    page = document["components"]["parameters"]["DualPaginationPage"]
    variants = page["schema"].get("oneOf")
    if variants:
        page["schema"] = next(v for v in variants if v.get("type") == "object")
    _null_in_nullable_enums(document)
    _writable_ids_in_batch_updates(document["components"]["schemas"])
    return ZendeskContract(OpenAPI.from_dict(document, config=Config(spec_validator_cls=None)))


def _null_in_nullable_enums(node: object) -> None:
    """Add null to every ``enum`` of a ``nullable`` schema in ``node``, in place."""
    if isinstance(node, dict):
        enum = node.get("enum")
        if node.get("nullable") is True and isinstance(enum, list) and None not in enum:
            enum.append(None)
        for value in node.values():
            _null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            _null_in_nullable_enums(value)


def _writable_ids_in_batch_updates(schemas: dict[str, Any]) -> None:
    """Each ticket of ``update_many``'s batch form on a ``TicketObject`` whose ``id`` is not
    read-only (the form requires it), in place."""
    with_id = copy.deepcopy(schemas["TicketObject"])
    with_id["properties"]["id"].pop("readOnly", None)
    schemas["TicketObjectWithWritableId"] = with_id
    batch = next(
        v for v in schemas["TicketsUpdateRequest"]["oneOf"] if "tickets" in v["properties"]
    )
    parts = batch["properties"]["tickets"]["items"]["allOf"]
    parts[:] = [
        {"$ref": "#/components/schemas/TicketObjectWithWritableId"}
        if part == {"$ref": "#/components/schemas/TicketObject"}
        else part
        for part in parts
    ]


def _to_openapi_request(request: httpx.Request) -> MockRequest:
    url = request.url
    segments = url.path.strip("/").split("/")
    view_args: dict[str, Any] = {}
    if len(segments) >= 4 and segments[3].isdigit() and segments[2] in PATH_IDS:
        view_args[PATH_IDS[segments[2]]] = int(segments[3])
    body = request.content
    content_type = request.headers.get("content-type", "application/json")
    if body and content_type.startswith("application/json"):
        json.loads(body)  # a JSON body that is not JSON should fail loudly here
    return MockRequest(
        host_url=f"{url.scheme}://{url.host}",
        method=request.method,
        path=url.path,
        args=dict(url.params.multi_items()),
        view_args=view_args,
        headers=dict(request.headers),
        data=body,
        content_type=request.headers.get("content-type", "application/json"),
    )
