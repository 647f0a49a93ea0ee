"""What the calls a helpdesk has actually served say about its health, known without calling it.

``/readyz`` caches its probes (each is an authenticated API call), and a cache must never hide a
failure that a real call has just met: so every gateway keeps the newest verdict here, and the
readiness check reads it - synchronously, no I/O - before trusting its cached probe.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """The newest evidence: ``serial`` grows with every verdict, so a reader that remembers the
    serial it last saw can tell whether anything happened since."""

    healthy: bool
    serial: int


class HealthRecord:
    """The newest verdict of one helpdesk's calls and probes; None until the first one ends."""

    __slots__ = ("_latest",)

    def __init__(self) -> None:
        self._latest: Verdict | None = None

    def record(self, *, healthy: bool) -> None:
        serial = self._latest.serial + 1 if self._latest is not None else 1
        self._latest = Verdict(healthy=healthy, serial=serial)

    def latest(self) -> Verdict | None:
        return self._latest
