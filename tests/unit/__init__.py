"""Unit tests: the domain, the use cases on in-memory adapters, and single modules of the edge."""
