"""Configuration: the settings' declaration and reader, secrets, defaults, the tenants file and
``--tenant``, ``.env.example``."""
