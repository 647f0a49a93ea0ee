"""ElevenLabs' post-call webhook in process: signatures, events, notes on tickets, a fleet of apps
sharing Redis."""
