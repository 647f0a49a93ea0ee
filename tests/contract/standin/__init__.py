"""The Zendesk stand-in (``tests.support.standin``) held to Zendesk's OpenAPI file, and its faults,
OAuth and people, so the tests that use it test against something faithful."""
