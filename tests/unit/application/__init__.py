"""The application layer: use cases on in-memory adapters, the rule table, idempotency, ids,
speech."""
