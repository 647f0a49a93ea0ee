"""Helpdesks behind the ``HelpdeskGateway`` port: ``mock`` (in process), ``zendesk`` and ``rt``
(each a room of its own, on the shared ``http_gateway``), and ``resilience`` (retries, budget,
pacing, circuit breaker), written once for every helpdesk; ``known_health`` is what a gateway
last learnt of its helpdesk's health, ``wire`` the HTTP failures every gateway translates alike."""
