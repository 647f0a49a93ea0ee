"""Store and outbox harnesses: the backends a contract suite runs over, Redis clients, a fake
store clock, and ``MemoryOutbox``, the in-memory outbox the use-case tests run on."""
