"""The test suite: shared helpers in ``support/``, then ``unit/``, ``contract/``, ``integration/``
and ``e2e/`` (docs/architecture.md, "Tests")."""
