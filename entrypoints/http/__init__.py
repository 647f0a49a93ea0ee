"""The Litestar HTTP app: the hand-off webhook, health probes, and the OpenAPI document."""
