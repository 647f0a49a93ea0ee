"""``/schema`` (and ``/schema/openapi.json``, ``/schema/openapi.yaml``): the OpenAPI document for
the settings it is served with, encoded once at start-up, for the one-tenant app and the tenants'
front alike."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler

from entrypoints.config.settings import Settings
from entrypoints.http.openapi.document import build_openapi, openapi_yaml

JSON = "application/json"
YAML = "application/yaml"


def schema_routes(settings: Settings) -> list[HTTPRouteHandler]:
    schema_json = msgspec.json.encode(build_openapi(settings))
    schema_yaml = openapi_yaml(settings).encode()

    @get(["/schema", "/schema/openapi.json"], include_in_schema=False, sync_to_thread=False)
    def schema() -> Response[bytes]:
        return Response(schema_json, media_type=JSON)

    @get("/schema/openapi.yaml", include_in_schema=False, sync_to_thread=False)
    def schema_as_yaml() -> Response[bytes]:
        return Response(schema_yaml, media_type=YAML)

    return [schema, schema_as_yaml]
