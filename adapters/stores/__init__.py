"""Stores behind TicketIndex, IdempotencyStore, ReplayGuard and RateLimiter."""
