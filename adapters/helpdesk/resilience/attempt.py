"""One attempt at a helpdesk request, and what its failure says: may it be retried, and may the
request have reached the helpdesk (``landed``)?

The line between the two kinds of failure is what lets a create be retried without a second
ticket and a failed one be reported as doubt rather than as "nothing happened":

- surely not landed: connect errors and pool timeouts (nothing was sent), 429 and 503 (the
  helpdesk answered that it did not process the request);
- may have landed: our own attempt timeout, read/write timeouts, a dropped connection, 500/502/
  504, and an answer httpx could not decode (it was processed, then garbled).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import KW_ONLY, dataclass

import httpx

from adapters.helpdesk.resilience.policy import NOT_PROCESSED_STATUSES, retry_after_seconds

Send = Callable[[], Awaitable[httpx.Response]]
Timeout = Callable[[float], AbstractAsyncContextManager[object]]
"""``asyncio.timeout``, or a test's stand-in on a fake clock."""


@dataclass(eq=False)
class AttemptFailed(Exception):
    """One attempt failed. ``retryable``: another attempt could help (subject to ``landed``, the
    policy and the deadline); ``retry_after``: the helpdesk's Retry-After, when it sent one."""

    reason: str
    _: KW_ONLY
    landed: bool
    retryable: bool = True
    retry_after: float | None = None
    status: int | None = None


async def attempt(
    send: Send, timeout_seconds: float, cap: Timeout = asyncio.timeout
) -> httpx.Response:
    """Send once within ``timeout_seconds``; a response the caller must judge (2xx, 4xx other
    than 429) is returned, every failure raised as ``AttemptFailed``."""
    try:
        async with cap(timeout_seconds):
            response = await send()
    except TimeoutError as e:  # our own per-attempt cap: the request may have landed
        raise AttemptFailed("attempt_timeout", landed=True) from e
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as e:
        raise AttemptFailed(type(e).__name__, landed=False) from e
    except httpx.TransportError as e:  # read/write timeouts, dropped connections
        raise AttemptFailed(type(e).__name__, landed=True) from e
    except httpx.HTTPError as e:  # anything else httpx raises: not worth retrying
        raise AttemptFailed(type(e).__name__, landed=True, retryable=False) from e
    status = response.status_code
    if status in NOT_PROCESSED_STATUSES:
        await response.aclose()
        raise AttemptFailed(
            f"http_{status}",
            landed=False,
            retry_after=retry_after_seconds(response),
            status=status,
        )
    if status >= 500:
        await response.aclose()
        raise AttemptFailed(f"http_{status}", landed=True, status=status)
    return response
