"""Adapters' own logic beside their contract suites: the expiring map, the SQLite outbox's cost;
``helpdesk/`` for the helpdesks'."""
