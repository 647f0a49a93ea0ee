"""The pure core of helpdesk-bridge: value objects and rules, no I/O and no clock reads."""
