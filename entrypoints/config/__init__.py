"""Configuration: the settings' one declaration (and its sections), the reader that checks the
environment and ``.env`` against it, the tenants file, and the SIGHUP reload of secrets.

Imports the core only (never an adapter: the container turns settings into adapters).
Every other room of the entrypoints may import it."""
