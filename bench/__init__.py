"""helpdesk-bridge benchmarks: commands that print numbers (``python -m bench --help``)."""
