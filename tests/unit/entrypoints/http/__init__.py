"""The HTTP edge's parts: authentication, the envelope, readiness, the guarded protocol and
connection limits, the post-call stream, the OpenAPI document."""
