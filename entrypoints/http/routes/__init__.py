"""The HTTP routes: the hand-off webhook, a queued hand-off's status, the ticket status, health
and readiness, and the ``/schema`` pages; each a raw ASGI endpoint behind the gate, or a
Litestar handler off the hot path."""
