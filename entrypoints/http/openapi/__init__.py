"""The OpenAPI document of the HTTP API, built from the same structs the routes decode and
encode (served at ``/schema`` and written by ``helpdesk-bridge openapi``)."""
