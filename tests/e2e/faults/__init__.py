"""Faults injected into real processes: the helpdesk down, slow or rate-limiting, doubtful creates,
SIGKILL, Redis restarted: never a hand-off lost, never two tickets."""
