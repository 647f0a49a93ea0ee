"""The composition root's ground floor: the dependency-injector container and what it builds from
the settings (backend families, helpdesk wiring, the Redis client), logging, the process's
metrics, and the start-up report of the helpdesk's set-up.

The drivers resolve their collaborators from the container; this room imports configuration
and the adapters, never a driver."""
