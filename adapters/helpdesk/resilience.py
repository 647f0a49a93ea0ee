"""Retries, backoff and a circuit breaker for helpdesk calls: written once, used by every backend.

A hand-off arrives through a tool call that ElevenLabs abandons after 20 s, so every helpdesk call
runs inside one total budget (8 s by default) that covers all its attempts and pauses. Inside it:

- A failure retries only when re-sending cannot do harm. A request that surely did not land
  (connect error, pool timeout, 429, 503) is always safe to re-send. A request that may have
  landed (read/write timeout, a dropped connection, 500/502/504) is re-sent only when the caller
  says the call is ``replay_safe``: a GET, or a create carrying an Idempotency-Key. A Zendesk
  comment (PUT) is not: re-sending it after a read timeout can post the note twice.
- Pauses are "full jitter" exponential backoff, so many bridges retrying at once do not stampede
  a recovering helpdesk; a 429/503 ``Retry-After`` is honoured as given, and when it points past
  the budget the call fails at once instead of sleeping uselessly.
- A circuit breaker counts consecutive failed attempts (connect errors, timeouts, 5xx; not 429,
  which comes from a helpdesk that is alive); once open, calls fail at once with
  ``HelpdeskUnavailable`` (a dead helpdesk must not cost every caller the whole budget), and after
  ``reset_seconds`` one trial call is let through to decide whether to close it again.

Everything that fails here leaves as ``HelpdeskUnavailable``; responses the caller must judge
(2xx, 4xx other than 429) are returned untouched. Every call and probe leaves a verdict in the
backend's ``HealthRecord``, which ``/readyz`` reads before its cached probe (``known_health``).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
import structlog

from adapters.helpdesk.circuit import CircuitBreaker, CircuitState, Monotonic
from adapters.helpdesk.known_health import HealthRecord, Verdict
from adapters.helpdesk.wire import AUTH_FAILURE_STATUSES
from application.errors import HelpdeskBadResponse, HelpdeskUnavailable

Sleep = Callable[[float], Awaitable[None]]
Send = Callable[[], Awaitable[httpx.Response]]

NOT_PROCESSED_STATUSES = frozenset({429, 503})
"""Statuses that say the request was refused before it was processed: always safe to re-send."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try one call.

    ``budget_seconds`` bounds the whole call (attempts + pauses), well under the 20 s tool timeout;
    ``attempt_timeout_seconds`` caps one attempt on top of httpx's own connect/read timeouts, so a
    response that trickles in byte by byte cannot eat the budget either.
    """

    budget_seconds: float = 8.0
    attempt_timeout_seconds: float = 5.0
    max_attempts: int = 4
    base_delay_seconds: float = 0.2
    max_delay_seconds: float = 2.0

    def backoff(self, retry_number: int, rng: Callable[[], float]) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**n)] for the n-th retry (0-based)."""
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2.0**retry_number)
        return rng() * ceiling


class _Retryable(Exception):
    """One attempt failed in a way that may be retried (subject to ``landed`` and the budget)."""

    def __init__(
        self,
        reason: str,
        landed: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.landed = landed
        self.retry_after = retry_after
        self.status = status


class Resilience:
    """Runs helpdesk requests under a ``RetryPolicy`` and a ``CircuitBreaker``.

    One instance per backend (it owns that backend's circuit), shared by all its calls. ``clock``,
    ``sleep`` and ``rng`` are injectable so tests run in milliseconds and deterministically.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        *,
        clock: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.breaker = breaker or CircuitBreaker(clock=clock)
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._health = HealthRecord()

    def known_health(self) -> Verdict | None:
        """The newest verdict of this backend's calls, without calling it: unhealthy while the
        circuit is not closed, else what the last call or probe to end found (None before any)."""
        latest = self._health.latest()
        if self.breaker.state is CircuitState.CLOSED:
            return latest
        return Verdict(healthy=False, serial=latest.serial if latest is not None else 0)

    async def send(
        self, operation: str, send: Send, *, replay_safe: bool, retry: bool = True
    ) -> httpx.Response:
        """Send via ``send()`` (which builds and sends one request per call) until it yields a
        response the caller must judge, or the budget, the attempts or the circuit say stop.

        ``replay_safe``: re-sending after the request may have landed is harmless.
        ``retry=False`` makes a single attempt (health probes must answer quickly).
        An answer counts as healthy unless it refuses our credentials (401/403).
        """
        try:
            response = await self._send(operation, send, replay_safe=replay_safe, retry=retry)
        except HelpdeskUnavailable:
            self._health.record(False)
            raise
        self._health.record(response.status_code not in AUTH_FAILURE_STATUSES)
        return response

    async def probe(
        self, operation: str, send: Send, judge: Callable[[httpx.Response], bool]
    ) -> bool:
        """One quick attempt whose 200 answer ``judge`` reads; recorded like a real call.

        A probe reports the helpdesk's failures (unreachable, refused, garbled alike) as False;
        anything else it raises is our own bug and propagates, so it is seen as one.
        """
        try:
            response = await self.send(operation, send, replay_safe=True, retry=False)
            healthy = response.status_code == 200 and judge(response)
        except (HelpdeskUnavailable, HelpdeskBadResponse):
            healthy = False
        self._health.record(healthy)
        return healthy

    async def _send(
        self, operation: str, send: Send, *, replay_safe: bool, retry: bool
    ) -> httpx.Response:
        if not self.breaker.allow():
            raise HelpdeskUnavailable(
                "The helpdesk is failing; not calling it for a while (circuit open)",
                {"operation": operation, "circuit": "open"},
            )
        deadline = self._clock() + self.policy.budget_seconds
        attempts = self.policy.max_attempts if retry else 1
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - self._clock()
            try:
                limit = min(remaining, self.policy.attempt_timeout_seconds)
                response = await self._attempt(send, limit)
            except _Retryable as failure:
                if failure.status == 429:  # alive, only asking us to slow down: not a failure
                    self.breaker.release_trial()
                else:
                    self.breaker.record_failure()
                structlog.get_logger(__name__).warning(
                    "helpdesk.attempt_failed",
                    operation=operation,
                    attempt=attempt,
                    reason=failure.reason,
                )
                pause = self._pause(attempt - 1, failure.retry_after)
                if (
                    attempt >= attempts
                    or (failure.landed and not replay_safe)
                    or self._clock() + pause >= deadline
                ):
                    raise self._gave_up(operation, attempt, failure) from failure.__cause__
                await self._sleep(pause)
                if not self.breaker.allow():  # this call's own failures opened the circuit
                    raise self._gave_up(operation, attempt, failure) from failure.__cause__
                continue
            except BaseException:
                self.breaker.release_trial()
                raise
            self.breaker.record_success()  # it answered (< 500): whatever it said, it is alive
            return response

    async def _attempt(self, send: Send, limit_seconds: float) -> httpx.Response:
        """One request; classify what may be retried. ``limit_seconds`` <= 0: budget spent."""
        if limit_seconds <= 0:
            raise _Retryable("budget_spent", landed=False)
        try:
            async with asyncio.timeout(limit_seconds):
                response = await send()
        except TimeoutError as e:  # our own per-attempt/budget cap: the request may have landed
            raise _Retryable("attempt_timeout", landed=True) from e
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as e:
            raise _Retryable(type(e).__name__, landed=False) from e
        except httpx.TransportError as e:  # read/write timeouts, dropped connections
            raise _Retryable(type(e).__name__, landed=True) from e
        except httpx.HTTPError as e:  # anything else httpx raises: not worth retrying
            raise HelpdeskUnavailable(
                "The helpdesk request failed", {"error": type(e).__name__}
            ) from e
        status = response.status_code
        if status in NOT_PROCESSED_STATUSES:
            await response.aclose()
            raise _Retryable(
                f"http_{status}",
                landed=False,
                retry_after=retry_after_seconds(response),
                status=status,
            )
        if status >= 500:
            await response.aclose()
            raise _Retryable(f"http_{status}", landed=True, status=status)
        return response

    def _pause(self, retry_number: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.policy.backoff(retry_number, self._rng)

    @staticmethod
    def _gave_up(operation: str, attempts: int, failure: _Retryable) -> HelpdeskUnavailable:
        details: dict[str, object] = {
            "operation": operation,
            "attempts": attempts,
            "reason": failure.reason,
        }
        if failure.retry_after is not None:
            details["retryAfterSeconds"] = failure.retry_after
        return HelpdeskUnavailable("The helpdesk did not answer in time", details)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); None when absent or garbled."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
