"""The Zendesk stand-in (``tests.support.standin``) held to Zendesk's OpenAPI file, and its faults,
OAuth, people, problems and incidents, and per-minute budget, so the tests that use it test
against something faithful."""
