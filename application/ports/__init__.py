"""The ports: what the application needs from the outside world, as ``typing.Protocol``s, and the
values they take and give.

One module per what they serve: ``helpdesk`` (the system of record, its budget, health probes,
the callers' users it knows), ``stores`` (dedup index, idempotency, replay guard, rate limiter)
and ``outbox`` (queued hand-offs). The ``Clock`` port lives in ``application.timing.clock`` (the
deadline reads it) and is re-exported here with the others, so ``from application.ports import X``
names any port.

Every adapter behind a port raises only the errors of ``application.errors`` (and
``domain.errors``): never its library's own exceptions.
May import ``application.timing`` and the domain. Imported by the filing, the use cases, the
adapters and the entrypoints.
"""

from __future__ import annotations

from application.ports.helpdesk import HealthProbe as HealthProbe
from application.ports.helpdesk import HelpdeskBudget as HelpdeskBudget
from application.ports.helpdesk import HelpdeskGateway as HelpdeskGateway
from application.ports.helpdesk import RequesterCache as RequesterCache
from application.ports.outbox import DuplicateReference as DuplicateReference
from application.ports.outbox import Outbox as Outbox
from application.ports.outbox import OutboxState as OutboxState
from application.ports.outbox import OutboxStats as OutboxStats
from application.ports.outbox import PendingNote as PendingNote
from application.ports.outbox import QueuedHandoff as QueuedHandoff
from application.ports.stores import Claim as Claim
from application.ports.stores import ClaimState as ClaimState
from application.ports.stores import IdempotencyRecord as IdempotencyRecord
from application.ports.stores import IdempotencyState as IdempotencyState
from application.ports.stores import IdempotencyStore as IdempotencyStore
from application.ports.stores import RateDecision as RateDecision
from application.ports.stores import RateLimiter as RateLimiter
from application.ports.stores import ReplayGuard as ReplayGuard
from application.ports.stores import StoredResponse as StoredResponse
from application.ports.stores import TicketIndex as TicketIndex
from application.timing.clock import Clock as Clock
