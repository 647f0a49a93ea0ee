"""Stores behind ``TicketIndex``, ``IdempotencyStore``, ``ReplayGuard``, ``RateLimiter`` and
``HelpdeskBudget``: in this process's memory (``memory``, ``memory_budget``, ``expiring``) or in
Redis, shared by a fleet (the ``redis`` room)."""
