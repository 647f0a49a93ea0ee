"""A Zendesk stand-in for the e2e tests: a real HTTP server process with faults on command
(zendesk.py, control.py), its process handle (client.py) and fixture (fixtures.py)."""
