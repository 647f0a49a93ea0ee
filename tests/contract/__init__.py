"""Contract suites: one per port, parametrized over every adapter (and the fakes), plus each
adapter's own extras and the Zendesk stand-in's conformance."""
