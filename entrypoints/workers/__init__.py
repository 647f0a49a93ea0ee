"""Background drivers inside the serving process: the delivery worker that files queued
hand-offs once the helpdesk is back.

A driver: never imports another driver (``http``, ``mcp``, ``cli``)."""
