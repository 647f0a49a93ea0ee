"""The tenants while the service runs: started at start-up, renewed on SIGHUP.

``TenantsReload`` is the tenants file's part of the reload (``entrypoints/config/reload.py``): the
file is read and checked as at start-up, against the environment read again; a bad file refuses the
whole reload (``config.reload_refused`` with the reason, the running tenants kept). Otherwise, in
one step between requests:

- each tenant's ``auth_tokens``, ``webhook_secret`` and ``elevenlabs_webhook_secret`` are
  swapped whole (an old token retired,
  a new one admitted; a request already let in finishes as it started), and its Zendesk OAuth
  client takes a changed id or secret from its next renewal;
- a tenant new in the file is started (its container opened, its worker running) and admitted
  once it serves; a tenant gone from the file stops being chosen at once and shuts down after
  its requests in flight (at most ``DRAIN_SECONDS``);
- any other change to a running tenant (its helpdesk, its limits) waits for a restart: the log
  line ``tenants.reloaded`` lists it under ``restart_needed``, as ``tenants.<name>.<key>``.
Names only are logged, never a value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import structlog

from entrypoints.config.reload import Commit, Holder
from entrypoints.config.settings import ConfigError, Settings, declared_settings
from entrypoints.config.tenants import Tenant, read_tenants
from entrypoints.http.post_call.signature import post_call_secrets
from entrypoints.tenancy.apps import DRAIN_SECONDS, TenantApp, tenant_secrets
from entrypoints.tenancy.dispatch import Selection

_APPLIED = frozenset({"WEBHOOK_SECRET", "ELEVENLABS_WEBHOOK_SECRET"})
log = structlog.get_logger("helpdesk_bridge.tenants")


class TenantRegistry:
    """The configured tenants (started, or starting after a reload) and the selection the
    dispatcher reads: a tenant is in the selection only while it serves."""

    def __init__(self, tenants: Sequence[Tenant]) -> None:
        self.selection: Holder[Selection] = Holder(Selection())
        self._apps = {tenant.name: TenantApp(tenant) for tenant in tenants}
        self._background: set[asyncio.Task[None]] = set()

    @property
    def serving(self) -> tuple[TenantApp, ...]:
        return self.selection.value.apps

    async def start_all(self) -> None:
        """Start every tenant, in file order; if one cannot start, stop those started and
        raise (the process does not start half its tenants)."""
        try:
            for app in list(self._apps.values()):
                await app.start()
                self.selection.value = self.selection.value.with_app(app)
        except BaseException:
            await self.stop_all()
            raise

    async def stop_all(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        serving, self.selection.value = self.serving, Selection()
        await asyncio.gather(*(app.stop() for app in serving))

    def stage(self, tenants: Sequence[Tenant]) -> Commit:
        """The commit that applies ``tenants`` (checked already); ``ConfigError`` when a part
        refuses (an OAuth client unset while a tenant runs on it)."""
        commits: list[Commit] = []
        changed: list[str] = []
        restart_needed: list[str] = []
        for tenant in tenants:
            app = self._apps.get(tenant.name)
            if app is None:
                continue
            applied = set(_APPLIED)
            for part in app.reloadables:
                commits.append(part.stage(tenant.settings))
                applied |= part.variables
            commits.append(app.secrets.commit(tenant_secrets(tenant)))
            commits.append(app.post_call_secrets.commit(post_call_secrets(tenant.settings)))
            commits.append(_retained(app, tenant))
            old = app.tenant
            if old.token_digests != tenant.token_digests:
                changed.append(f"tenants.{tenant.name}.auth_tokens")
            for setting in declared_settings():
                if setting.value_in(old.settings) != setting.value_in(tenant.settings):
                    named = f"tenants.{tenant.name}.{setting.name.lower()}"
                    (changed if setting.name in applied else restart_needed).append(named)
        names = {tenant.name for tenant in tenants}
        added = [tenant for tenant in tenants if tenant.name not in self._apps]
        removed = [name for name in self._apps if name not in names]

        def commit() -> None:
            for step in commits:
                step()
            for name in removed:
                app = self._apps.pop(name)
                self.selection.value = self.selection.value.without(name)
                self._spawn(app.stop(DRAIN_SECONDS))
            for tenant in added:
                app = self._apps[tenant.name] = TenantApp(tenant)
                self._spawn(self._admit(app))
            log.info(
                "tenants.reloaded",
                added=[tenant.name for tenant in added],
                removed=removed,
                changed=changed,
                restart_needed=restart_needed,
            )

        return commit

    async def _admit(self, app: TenantApp) -> None:
        try:
            await app.start()
        except Exception as error:
            log.error(
                "tenant.start_failed",
                tenant=app.name,
                error_type=type(error).__name__,
                hint="fix it and send SIGHUP again",
            )
            if self._apps.get(app.name) is app:
                del self._apps[app.name]
            await app.stop()
            return
        if self._apps.get(app.name) is app:  # not removed again while it started
            self.selection.value = self.selection.value.with_app(app)
        else:
            await app.stop(DRAIN_SECONDS)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _retained(app: TenantApp, tenant: Tenant) -> Commit:
    def keep() -> None:
        app.tenant = tenant

    return keep


class TenantsReload:
    """SIGHUP's part for the tenants file: read it again with the environment, apply it."""

    variables = frozenset({"TENANTS_FILE"})

    def __init__(self, registry: TenantRegistry, read: Callable[[], Mapping[str, str]]) -> None:
        self._registry = registry
        self._read = read

    def stage(self, settings: Settings) -> Commit:
        if not settings.tenants_file:
            raise ConfigError(
                "TENANTS_FILE cannot be unset while the service runs on tenants: restart "
                "without it to run on the environment alone"
            )
        return self._registry.stage(read_tenants(self._read(), settings))
