"""Configuration that changes while the service runs: on SIGHUP the environment, ``.env`` and
every ``*_FILE`` are read again and checked exactly as at start-up, and what can change
without a restart is swapped in - today the secrets (``AUTH_TOKEN``, ``WEBHOOK_SECRET``, the
Zendesk OAuth client); the same way, later, a tenants file.

- All or nothing: every part first *stages* its new value from the fresh settings (and may
  refuse with a ``ConfigError``); only when all have staged, all commit. A bad value or file
  keeps the whole running configuration and logs ``config.reload_refused`` with the reason.
- No request is dropped or sees a mix: a part commits by replacing one ``Holder.value`` on the
  event loop, between requests' steps; a request reads it once, so it is judged by the old or
  the new secrets, and a request already let in finishes as it started.
- Other changed variables (``PORT``, ``STORE_BACKEND``, ...) are not applied: the log line
  lists them under ``restart_needed``. Nothing is logged of any value, only variable names.

A new part (the tenants file) is a ``Reloadable``: the variables it applies, and a ``stage``.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Mapping, Sequence
from typing import Generic, Protocol, TypeVar

import structlog

from entrypoints.config.settings import ConfigError, Settings, declared_settings, read_environment
from entrypoints.config.settings import settings_from as checked_settings

T = TypeVar("T")
Commit = Callable[[], None]


class Holder(Generic[T]):
    """One value a reload replaces whole; readers take ``holder.value`` once per use."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def commit(self, value: T) -> Commit:
        def swap() -> None:
            self.value = value

        return swap


class Reloadable(Protocol):
    """One thing a reload renews."""

    @property
    def variables(self) -> frozenset[str]:
        """The variables it applies (their changes need no restart)."""
        ...

    def stage(self, settings: Settings) -> Commit:
        """Prepare the new value from the checked ``settings`` (raise ``ConfigError`` to refuse
        the reload); the returned commit swaps it in and cannot fail."""
        ...


class Reloader:
    """Reload ``parts`` from ``read()`` (the environment over ``.env``) on ``reload()`` or SIGHUP.

    ``running`` is the configuration the process started with: a changed variable no part
    applies is reported against it until a restart applies it."""

    def __init__(
        self,
        running: Settings,
        parts: Sequence[Reloadable],
        read: Callable[[], Mapping[str, str]] = read_environment,
    ) -> None:
        self._started = running
        self._current = running
        self._parts = tuple(parts)
        self._read = read
        self._applied = frozenset().union(*(part.variables for part in self._parts))
        self._listening: asyncio.AbstractEventLoop | None = None

    def reload(self) -> bool:
        """Read, check and swap in; False (the running configuration kept) when refused."""
        log = structlog.get_logger("helpdesk_bridge.reload")
        try:
            fresh = checked_settings(self._read())
            commits = [part.stage(fresh) for part in self._parts]
        except ConfigError as error:
            log.error("config.reload_refused", reason=str(error), kept="running configuration")
            return False
        except Exception:  # a bug of ours must not end the service, nor apply half a reload
            log.exception("config.reload_failed", kept="running configuration")
            return False
        for commit in commits:
            commit()
        reloaded: list[str] = []
        restart_needed: list[str] = []
        for setting in declared_settings():
            now = setting.value_in(fresh)
            if setting.name in self._applied:
                if setting.value_in(self._current) != now:
                    reloaded.append(setting.name)
            elif setting.value_in(self._started) != now:
                restart_needed.append(setting.name)
        self._current = fresh
        log.info("config.reloaded", changed=reloaded, restart_needed=restart_needed)
        return True

    def listen(self) -> None:
        """Reload on SIGHUP from now on (in the running loop; where signals cannot be handled -
        not the main thread, not Unix - it says so and the service runs without)."""
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGHUP, self.reload)
        except (AttributeError, NotImplementedError, RuntimeError, ValueError) as e:
            structlog.get_logger("helpdesk_bridge.reload").warning(
                "config.reload_unavailable", reason=type(e).__name__
            )
            return
        self._listening = loop

    def stop(self) -> None:
        """Stop reloading on SIGHUP (at shutdown)."""
        if self._listening is not None and not self._listening.is_closed():
            self._listening.remove_signal_handler(signal.SIGHUP)
        self._listening = None
