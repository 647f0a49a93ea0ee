"""A real Request Tracker 5 behind real bridges: tickets land in RT, dedup survives a restart,
status look-ups read RT's states."""
