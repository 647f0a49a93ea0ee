"""Adapters of the ``Outbox`` port: where hand-offs the helpdesk could not take wait for delivery.

``SqliteOutbox`` (the embedded durable default, one file per host) and ``RedisOutbox`` (shared by
a fleet). Both - and the tests' in-memory fake, ``tests/support/stores/memory_outbox.py`` - follow
the same rules, which the contract suite (tests/contract/test_outbox_contract.py) checks:

- only QUEUED items dedup: a delivered, dead or dropped item's keys are free again;
- ``lease`` hands out due, unleased (or lease-expired) QUEUED items oldest first (``queued_at``,
  then reference), so a worker that died leaves its items to another once its lease runs out;
- ``delivered`` counts the successful attempt, ``postpone`` the failed one; both end the lease.
  A DELIVERED item stays DELIVERED (a late ``postpone``/``kill`` from a worker whose lease had
  expired changes nothing); ``delivered`` also records a ticket for a DEAD item, since the
  ticket exists either way;
- ``retry`` leaves a live lease in place: a worker may be delivering the item right now, and a
  second concurrent delivery is what leases exist to prevent.

Import each from its module (``adapters.outbox.sqlite``, ``adapters.outbox.redis``): this
package imports neither, so a process on the SQLite outbox never loads redis-py.
"""
