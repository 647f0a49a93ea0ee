"""The filing machinery and the delivery of queued hand-offs."""
