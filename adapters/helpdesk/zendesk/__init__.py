"""Zendesk behind the ``HelpdeskGateway`` port: tickets, comments, the caller as an end user,
uploads, reading tickets back, and OAuth client credentials.

Import ``ZendeskHelpdesk`` from ``adapters.helpdesk.zendesk.gateway``; the other modules are its
parts. May import ``adapters.helpdesk`` (the shared HTTP gateway and resilience) and the core."""
