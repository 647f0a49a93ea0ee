"""Helpdesk harnesses: the contract suite's gateways, a scripted helpdesk, a Zendesk fake and the
OpenAPI check of Zendesk traffic, an OAuth fake."""
