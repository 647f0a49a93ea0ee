"""Retries, backoff, the deadline, the shared budget and a circuit breaker for helpdesk calls:
written once, used by every backend.

A hand-off arrives through a tool call that ElevenLabs abandons after 20 s, so the whole
hand-off (look-ups, create, retries) runs inside one ``Deadline`` the use case passes down; a
call without one (a probe, a tool of an operator) gets the policy's own budget (8 s by default).
Inside it:

- Every attempt's timeout is capped by what is left, and no attempt (and no pause before one)
  starts that could not finish inside it: the call fails at once with ``HelpdeskUnavailable``.
- A failure retries only when re-sending cannot do harm
  (``adapters.helpdesk.resilience.attempt`` says which failures may have landed). A request that
  may have landed is re-sent only when the caller says it is ``replay_safe``: a GET, or a create
  carrying an Idempotency-Key. A Zendesk comment (PUT) is not: re-sending it after a read
  timeout can post the note twice.
- Doubt is reported, never hidden: when any attempt of a call that changes something may have
  landed, the error says ``uncertain=True``; a request refused before it was processed (connect
  error, 429/503, circuit open, no time left, the budget) says ``uncertain=False``.
- Pauses are "full jitter" exponential backoff, so many bridges retrying at once do not stampede
  a recovering helpdesk; a 429/503 ``Retry-After`` is honoured as given (and remembered in the
  shared ``HelpdeskBudget``, ``adapters.helpdesk.resilience.pacing``), and when it points past the
  deadline the call fails at once with ``retry_after`` = the helpdesk's number.
- A circuit breaker counts consecutive failed attempts (connect errors, timeouts, 5xx; not 429,
  which comes from a helpdesk that is alive); once open, calls fail at once (a dead helpdesk
  must not cost every caller the whole deadline), and after ``reset_seconds`` one trial call is
  let through to decide whether to close it again.

Everything that fails here leaves as ``HelpdeskUnavailable``; responses the caller must judge
(2xx, 4xx other than 429) are returned untouched. Every call and probe leaves a verdict in the
backend's ``HealthRecord``, which ``/readyz`` reads before its cached probe (``known_health``).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

import httpx
import structlog

from adapters.helpdesk.known_health import HealthRecord, Verdict
from adapters.helpdesk.resilience.attempt import AttemptFailed, Send, Timeout, attempt
from adapters.helpdesk.resilience.circuit import CircuitBreaker, CircuitState, Monotonic
from adapters.helpdesk.resilience.pacing import Pacing, Refusal, Sleep
from adapters.helpdesk.resilience.policy import RetryPolicy
from adapters.helpdesk.wire import AUTH_FAILURE_STATUSES
from application.errors import HelpdeskBadResponse, HelpdeskUnavailable
from application.ports import HelpdeskBudget
from application.timing.deadline import MIN_ATTEMPT_SECONDS, Deadline

__all__ = ["Resilience", "RetryPolicy"]


class _MonotonicClock:
    """The ``Clock`` a policy budget's ``Deadline`` reads: this instance's monotonic source."""

    __slots__ = ("monotonic",)

    def __init__(self, monotonic: Monotonic) -> None:
        self.monotonic = monotonic

    @staticmethod
    def now() -> float:
        return time.time()


class _Call:
    """What one call has seen so far: its attempts, its last failure, and whether an attempt of
    a call that changes something may have reached the helpdesk (``doubt``)."""

    __slots__ = ("attempts", "doubt", "failure", "operation", "read_only")

    def __init__(self, operation: str, *, read_only: bool) -> None:
        self.operation = operation
        self.read_only = read_only
        self.attempts = 0
        self.doubt = False
        self.failure: AttemptFailed | None = None

    def failed(self, failure: AttemptFailed) -> None:
        self.failure = failure
        self.doubt = self.doubt or (failure.landed and not self.read_only)

    def stopped(self, message: str, details: dict[str, object]) -> HelpdeskUnavailable:
        """Stopped before an attempt: after a failure, that failure is the reason."""
        if self.failure is not None:
            return self.gave_up(self.failure)
        return HelpdeskUnavailable(message, {"operation": self.operation} | details)

    def gave_up(self, failure: AttemptFailed) -> HelpdeskUnavailable:
        details: dict[str, object] = {
            "operation": self.operation,
            "attempts": self.attempts,
            "reason": failure.reason,
        }
        if failure.retry_after is not None:
            details["retryAfterSeconds"] = failure.retry_after
        return HelpdeskUnavailable(
            "The helpdesk did not answer in time",
            details,
            retry_after=failure.retry_after,
            uncertain=self.doubt,
        )

    def refused(self, refusal: Refusal) -> HelpdeskUnavailable:
        """The budget says no call before the deadline: the helpdesk's wait, as its number."""
        return HelpdeskUnavailable(
            "The helpdesk cannot take calls before the deadline (it asked us to wait)"
            if refusal.reason == "retry_after"
            else "The helpdesk's pace is spent until after the deadline",
            {
                "operation": self.operation,
                "reason": refusal.reason,
                "retryAfterSeconds": refusal.seconds,
            },
            retry_after=refusal.seconds,
            uncertain=self.doubt,
        )


class Resilience:
    """Runs helpdesk requests under a ``RetryPolicy``, a ``CircuitBreaker`` and (optionally) the
    shared ``HelpdeskBudget``.

    One instance per backend (it owns that backend's circuit), shared by all its calls. ``clock``
    (monotonic, the same source as the ``Deadline``s it is given), ``sleep``, ``rng`` and
    ``timeout`` (the per-attempt cap) are injectable so tests run on a fake clock, in
    milliseconds and deterministically.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        *,
        budget: HelpdeskBudget | None = None,
        clock: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        timeout: Timeout = asyncio.timeout,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.breaker = breaker or CircuitBreaker(clock=clock)
        self._clock = _MonotonicClock(clock)
        self._sleep = sleep
        self._rng = rng
        self._timeout = timeout
        self._pacing = Pacing(budget, sleep)
        self._health = HealthRecord()

    def known_health(self) -> Verdict | None:
        """The newest verdict of this backend's calls, without calling it: unhealthy while the
        circuit is not closed, else what the last call or probe to end found (None before any)."""
        latest = self._health.latest()
        if self.breaker.state is CircuitState.CLOSED:
            return latest
        return Verdict(healthy=False, serial=latest.serial if latest is not None else 0)

    async def send(
        self,
        operation: str,
        send: Send,
        *,
        replay_safe: bool,
        deadline: Deadline | None = None,
        read_only: bool = False,
        retry: bool = True,
    ) -> httpx.Response:
        """Send via ``send()`` (which builds and sends one request per call) until it yields a
        response the caller must judge, or the deadline, the attempts, the budget or the circuit
        say stop.

        ``replay_safe``: re-sending after the request may have landed is harmless.
        ``deadline``: the hand-off's (None: the policy's budget from now).
        ``read_only``: the request changes nothing, so its failure is never ``uncertain``.
        ``retry=False`` makes a single attempt (health probes must answer quickly).
        An answer counts as healthy unless it refuses our credentials (401/403).
        """
        call = _Call(operation, read_only=read_only)
        limit = deadline or Deadline(self._clock, self.policy.budget_seconds)
        try:
            response = await self._send(call, send, limit, replay_safe=replay_safe, retry=retry)
        except HelpdeskUnavailable:
            if call.attempts:  # the helpdesk failed us; a call we never made says nothing of it
                self._health.record(healthy=False)
            raise
        self._health.record(healthy=response.status_code not in AUTH_FAILURE_STATUSES)
        return response

    async def probe(
        self, operation: str, send: Send, judge: Callable[[httpx.Response], bool]
    ) -> bool:
        """One quick attempt whose 200 answer ``judge`` reads; recorded like a real call. It
        skips the pace (a probe is not the bridge's work), not a remembered Retry-After.

        A probe reports the helpdesk's failures (unreachable, refused, garbled alike) as False;
        anything else it raises is our own bug and propagates, so it is seen as one.
        """
        try:
            response = await self.send(
                operation, send, replay_safe=True, read_only=True, retry=False
            )
            healthy = response.status_code == 200 and judge(response)
        except (HelpdeskUnavailable, HelpdeskBadResponse):
            healthy = False
        self._health.record(healthy=healthy)
        return healthy

    async def _send(
        self, call: _Call, send: Send, deadline: Deadline, *, replay_safe: bool, retry: bool
    ) -> httpx.Response:
        attempts = self.policy.max_attempts if retry else 1
        while True:
            refusal = await self._pacing.turn(call.operation, deadline, paced=retry)
            if refusal is not None:
                raise call.refused(refusal)
            timeout = deadline.attempt_timeout(self.policy.attempt_timeout_seconds)
            if timeout is None:
                raise call.stopped(
                    "No time left to call the helpdesk before the deadline", {"reason": "deadline"}
                )
            if not self.breaker.allow():
                raise call.stopped(
                    "The helpdesk is failing; not calling it for a while (circuit open)",
                    {"circuit": "open"},
                )
            call.attempts += 1
            try:
                response = await attempt(send, timeout, self._timeout)
            except AttemptFailed as failure:
                call.failed(failure)
                await self._failed(call, failure)
                pause = self._pause(call.attempts - 1, failure.retry_after)
                if (
                    not failure.retryable
                    or call.attempts >= attempts
                    or (failure.landed and not replay_safe)
                    or not deadline.allows(pause + MIN_ATTEMPT_SECONDS)
                ):
                    raise call.gave_up(failure) from failure.__cause__
                await self._sleep(pause)
                continue
            except BaseException:
                self.breaker.release_trial()
                raise
            self.breaker.record_success()  # it answered (< 500): whatever it said, it is alive
            return response

    async def _failed(self, call: _Call, failure: AttemptFailed) -> None:
        if failure.status == 429:  # alive, only asking us to slow down: not a failure
            self.breaker.release_trial()
        else:
            self.breaker.record_failure()
        structlog.get_logger(__name__).warning(
            "helpdesk.attempt_failed",
            operation=call.operation,
            attempt=call.attempts,
            reason=failure.reason,
        )
        if failure.retry_after is not None:
            await self._pacing.remember(call.operation, failure.retry_after)

    def _pause(self, retry_number: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.policy.backoff(retry_number, self._rng)
