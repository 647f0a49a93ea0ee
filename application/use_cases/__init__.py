"""The use cases: one per module, a class with its ports in ``__init__`` and one ``execute``.

The HTTP routes and the MCP tools call these same classes, so both transports do exactly the
same thing. A module may also hold the input and result types only its use case uses.
May import: ``application.filing``, ``application.inputs``, ``application.speech``,
``application.ports``, ``application.timing``, ``application.errors``, ``application.ids``, the
domain. Imported by the entrypoints."""
