"""The stand-in's per-minute account budget: Zendesk's account-wide rate limit, on command
(``POST /_standin/budget {"per_minute": 120}``; 0 or null turns it off).

What Zendesk documents, and the stand-in does (developer.zendesk.com, "Rate limits" in the API
introduction and "Best practices for avoiding rate limiting"):

- The limit is a number of requests per minute for the whole account (200 to 2,500 by plan),
  counted over every API request whatever its route. Past it Zendesk answers 429 Too Many
  Requests with ``Retry-After``, the seconds to wait, and processes nothing.
- Every answer says where the account stands in the current minute: ``X-Rate-Limit`` and
  ``X-Rate-Limit-Remaining``; the Ticketing APIs (tickets, users: all the stand-in serves) add
  ``ratelimit-limit``, ``ratelimit-remaining`` and ``ratelimit-reset`` (seconds until the
  window resets, e.g. ``ratelimit-reset: 41``).
- The account-wide 429 is not Zendesk's JSON error envelope: its body is the plain text
  ``Number of allowed API requests per minute exceeded`` (seen in the answers users report, e.g.
  airbytehq/airbyte#11035, whose client failed to decode it as JSON; Zendesk's community post
  4600766234138 shows its headers: ``text/plain``, ``retry-after``, ``x-rate-limit-remaining: 0``).

The stand-in's choices where Zendesk's pages say no more than "the current minute": the window
is fixed, 60 s long, and the first one starts when the budget is set (so a test knows where it
ends); ``POST /_standin/clock`` moves through windows like real time. A refused request does not
use the budget (it was not processed), but it is counted (``refused``) so a benchmark can print
the 429s it provoked. Without a budget no rate-limit header is sent at all. The budget sits in
front of everything else: a refused call meets no fault, no auth, no handler; an admitted one
goes on to the faults (``fail``, ``slow``, ``drop``) as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tests.support.standin.asgi import Answer

WINDOW_SECONDS = 60.0
REFUSAL_TEXT = "Number of allowed API requests per minute exceeded"

Headers = tuple[tuple[str, str], ...]


@dataclass
class AccountBudget:
    """Requests admitted in the current fixed window, against ``per_minute`` (None: off)."""

    per_minute: int | None = None
    window_start: float = 0.0
    used: int = 0
    refused: int = 0

    def set(self, per_minute: int | None, now: float) -> None:
        """A new budget (None or 0: off); its first window starts ``now``, empty."""
        self.per_minute = per_minute or None
        self.window_start = now
        self.used = 0

    def admit(self, now: float) -> tuple[Answer | None, Headers]:
        """Take one request: (None, the headers for its answer) when it fits, else (the 429 to
        answer instead, ``()``)."""
        if self.per_minute is None:
            return None, ()
        elapsed = now - self.window_start
        if elapsed >= WINDOW_SECONDS:  # whole windows passed: a fresh one, aligned to the first
            self.window_start += WINDOW_SECONDS * math.floor(elapsed / WINDOW_SECONDS)
            self.used = 0
        reset = max(1, math.ceil(self.window_start + WINDOW_SECONDS - now))
        if self.used >= self.per_minute:
            self.refused += 1
            headers = (*self._headers(reset), ("retry-after", str(reset)))
            return Answer(429, {}, headers, text=REFUSAL_TEXT), ()
        self.used += 1
        return None, self._headers(reset)

    def _headers(self, reset: int) -> Headers:
        limit, remaining = str(self.per_minute), str((self.per_minute or 0) - self.used)
        return (
            ("x-rate-limit", limit),
            ("x-rate-limit-remaining", remaining),
            ("ratelimit-limit", limit),
            ("ratelimit-remaining", remaining),
            ("ratelimit-reset", str(reset)),
        )

    def reset(self) -> None:
        """Off, and the refusals forgotten (``POST /_standin/reset``)."""
        self.per_minute, self.used, self.refused = None, 0, 0
