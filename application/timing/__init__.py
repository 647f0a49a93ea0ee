"""Time in the application: the ``Clock`` port, the one ``Deadline`` type (a hand-off's budget,
and any wait bounded by it), and the one backoff formula (waits, delivery retries, helpdesk
retries).

Imports nothing of the application; everything else may import it."""
