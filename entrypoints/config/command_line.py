"""The settings a command runs on, or exit code 2 with one line saying what is wrong.

Every command reads its configuration the same way (the environment, ``.env``, and with
TENANTS_FILE the tenants file), so a value that would stop the service stops a command with the
same words.
"""

from __future__ import annotations

import sys

from entrypoints.config.settings import ConfigError, Settings, read_environment, settings_from
from entrypoints.config.tenants import Tenant, read_tenants, tenant_named


def exit_on_config_error(error: ConfigError) -> SystemExit:
    """Print the one line and give the ``SystemExit(2)`` to raise."""
    print(f"helpdesk-bridge: configuration error: {error}", file=sys.stderr)
    return SystemExit(2)


def configured_or_exit(
    *, require_auth: bool = True, tenant: str | None = None
) -> tuple[Settings, tuple[Tenant, ...]]:
    """The environment's settings and, with TENANTS_FILE, the tenants."""
    try:
        values = read_environment()
        settings = settings_from(values, require_auth=require_auth)
        if tenant is not None and not settings.tenants_file:
            raise ConfigError(f"--tenant {tenant} needs TENANTS_FILE (the file naming the tenants)")
        tenants = read_tenants(values, settings) if settings.tenants_file else ()
    except ConfigError as error:
        raise exit_on_config_error(error) from None
    return settings, tenants


def settings_or_exit(*, require_auth: bool = True, tenant: str | None = None) -> Settings:
    """The settings a one-tenant command runs on: the environment's, or with TENANTS_FILE
    those of the tenant ``--tenant`` names."""
    settings, tenants = configured_or_exit(require_auth=require_auth, tenant=tenant)
    if not tenants:
        return settings
    try:
        if tenant is None:
            raise ConfigError("TENANTS_FILE is set: name the tenant with --tenant NAME")
        return tenant_named(tenants, tenant).settings
    except ConfigError as error:
        raise exit_on_config_error(error) from None
