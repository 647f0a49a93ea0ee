"""The helpdesk adapters' own logic: resilience, the circuit breaker, OAuth, RT and mock."""
