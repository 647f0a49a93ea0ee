"""Request Tracker 5 (REST 2.0) behind the ``HelpdeskGateway`` port: tickets, comments, custom
fields for the reference and the caller, and the start-up check of those fields.

Import ``RtHelpdesk`` from ``adapters.helpdesk.rt.gateway``; the other modules are its parts.
May import ``adapters.helpdesk`` (the shared HTTP gateway and resilience) and the core."""
