"""The filing machinery every hand-off goes through: resolve the problem, claim its dedup keys,
find or open its ticket, or keep it in the outbox when the helpdesk cannot take it in time.

May import ``application.ports``, ``application.timing``, ``application.errors``,
``application.ids`` and the domain. Imported by the use cases, the speech templates (a filing's
result) and the entrypoints (which wire it, and answer with its results)."""
