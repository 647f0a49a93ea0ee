"""Tenants: several voice agents (brands, regions, an MSP's customers) on one bridge, each with
its own helpdesk, credentials, budgets and state (``TENANTS_FILE``; docs/configuration.md).

A tenant's ``Settings`` are the environment's overlaid by its table (``tenants_file.py`` reads
it) and checked by the same declaration, so a bad value stops start-up naming the tenant and the
key. Each tenant gets a container of its own (``build_container``), hence its own helpdesk
client, rate limiter, dedup index, idempotency records, replay guard and outbox; what two
tenants could still share - a Redis server, a state directory - gets a namespace per tenant:

- Redis keys under ``<REDIS_KEY_PREFIX>t:<name>:`` (unless the table sets ``redis_key_prefix``);
- the SQLite outbox ``<OUTBOX_PATH's stem>.<name><suffix>`` beside ``OUTBOX_PATH`` (unless the
  table sets ``outbox_path``).

No two tenants may share a token, a Redis namespace or an outbox file. Credentials are never
inherited: ``AUTH_TOKEN`` or ``WEBHOOK_SECRET`` in the environment next to a tenants file stop
start-up, since a token there would belong to no tenant (or, inherited, to all of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from entrypoints.config.reader import FILE_SUFFIX
from entrypoints.config.settings import ConfigError, Settings, settings_from
from entrypoints.config.tenants_file import NOT_INHERITED, TenantTable, Where, read_tables

TENANT_REDIS_MARK = "t:"
"""Between the base prefix and a tenant's name; no store's own key kind is ``t``, so a tenant's
keys never mix with those of a bridge without tenants on the same prefix."""


@dataclass(frozen=True)
class Tenant:
    """One tenant as configured: its name (a bounded label), its settings, and the SHA-256
    digests of the tokens that select it and admit its callers."""

    name: str
    settings: Settings
    token_digests: tuple[bytes, ...]


def read_tenants(values: Mapping[str, str], settings: Settings) -> tuple[Tenant, ...]:
    """The tenants of ``settings.tenants_file``, in file order; ``values`` is the environment
    (over ``.env``) the settings were read from. ``ConfigError`` names the first problem."""
    path = settings.tenants_file
    _refuse_inherited_credentials(values)
    base = {name: value for name, value in values.items() if not _credential(name)}
    tenants = tuple(_tenant(path, table, base) for table in read_tables(path, values))
    _check_apart(path, tenants)
    return tenants


def tenant_named(tenants: Sequence[Tenant], name: str) -> Tenant:
    """The tenant called ``name``; ``ConfigError`` listing the known names otherwise."""
    for tenant in tenants:
        if tenant.name == name:
            return tenant
    known = ", ".join(t.name for t in tenants)
    raise ConfigError(f"no tenant is called {name!r} in TENANTS_FILE (its tenants: {known})")


def _credential(variable: str) -> bool:
    return variable.removesuffix(FILE_SUFFIX) in NOT_INHERITED


def _refuse_inherited_credentials(values: Mapping[str, str]) -> None:
    for variable in NOT_INHERITED:
        for name in (variable, variable + FILE_SUFFIX):
            if (values.get(name) or "").strip():
                raise ConfigError(
                    f"{name} is set, but with TENANTS_FILE each tenant admits its own callers "
                    f"(auth_tokens, {variable.lower()} in its table): unset {name}"
                )


def _tenant(path: str, table: TenantTable, base: Mapping[str, str]) -> Tenant:
    where = Where(path, table.name)
    values = dict(base)
    for variable in table.variables:  # the table's value wins over either form in the base
        values.pop(variable.removesuffix(FILE_SUFFIX), None)
        values.pop(variable.removesuffix(FILE_SUFFIX) + FILE_SUFFIX, None)
    values.update(table.variables)
    try:
        settings = settings_from(values, require_auth=False)
    except ConfigError as error:
        raise where.error(_named_as_keys(str(error), table.variables)) from None
    if not (table.token_digests or settings.webhook_secrets or settings.elevenlabs_webhook_secret):
        raise where.error(
            "admits nobody: give it auth_tokens (sha256:<hex> hashes), a webhook_secret or an "
            "elevenlabs_webhook_secret"
        )
    return Tenant(table.name, _namespaced(table, settings), table.token_digests)


def _named_as_keys(message: str, variables: Iterable[str]) -> str:
    """``HELPDESK_API_URL must be ...`` -> ``helpdesk_api_url must be ...`` for the table's own
    keys (an inherited variable keeps its environment name)."""
    for variable in sorted(variables, key=len, reverse=True):
        if message.startswith(variable + " "):
            return variable.lower() + message[len(variable) :]
    return message


def _namespaced(table: TenantTable, settings: Settings) -> Settings:
    redis, outbox = settings.redis, settings.outbox
    if "REDIS_KEY_PREFIX" not in table.variables:
        prefix = f"{redis.key_prefix}{TENANT_REDIS_MARK}{table.name}:"
        redis = msgspec.structs.replace(redis, key_prefix=prefix)
    if "OUTBOX_PATH" not in table.variables:
        base = outbox.file()
        own = base.with_name(f"{base.stem}.{table.name}{base.suffix}")
        outbox = msgspec.structs.replace(outbox, path=str(own))
    return msgspec.structs.replace(settings, redis=redis, outbox=outbox)


def _check_apart(path: str, tenants: Sequence[Tenant]) -> None:
    """No token selects two tenants; no two tenants write the same keys or file."""
    tokens: dict[bytes, str] = {}
    spaces: dict[tuple[str, str], str] = {}
    files: dict[Path, str] = {}
    for tenant in tenants:
        where = Where(path, tenant.name)
        for digest in tenant.token_digests:
            other = tokens.setdefault(digest, tenant.name)
            if other != tenant.name:
                raise where.error(f"auth_tokens: a token is also tenant {other}'s (one each)")
        settings = tenant.settings
        if settings.store_backend == "redis":
            space = (settings.redis.url, settings.redis.key_prefix)
            other = spaces.setdefault(space, tenant.name)
            if other != tenant.name:
                raise where.error(f"redis_key_prefix is also tenant {other}'s: give each its own")
        else:
            outbox = Path(settings.outbox.path).expanduser().resolve()
            other = files.setdefault(outbox, tenant.name)
            if other != tenant.name:
                raise where.error(f"outbox_path is also tenant {other}'s: give each its own")
