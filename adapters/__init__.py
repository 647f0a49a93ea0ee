"""Technology behind the application's ports: ``helpdesk`` (mock, Zendesk, Request Tracker, and
the resilience every HTTP helpdesk shares), ``stores`` (in memory, Redis), ``outbox`` (SQLite,
Redis), and the system clock. Adapters import the application and the domain, never an
entrypoint."""
