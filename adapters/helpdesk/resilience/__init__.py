"""How one helpdesk call is tried: retries with full-jitter backoff inside the hand-off's
deadline, the shared budget, pacing by ``Retry-After``, and a circuit breaker.

Written once for every helpdesk; ``Resilience`` (``calls.py``) is what a gateway holds. Imports
the core only."""
