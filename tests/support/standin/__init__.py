"""A Zendesk stand-in for the e2e tests: a real HTTP server process with faults on command
(zendesk.py, control.py), tickets with problems and incidents (tickets.py), bulk updates run as
background jobs (jobs.py), a per-minute account budget (budget.py), its process handle
(client.py) and fixture (fixtures.py)."""
