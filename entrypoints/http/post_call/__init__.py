"""ElevenLabs' post-call webhook (``POST /ingest/elevenlabs/post-call``): the signature checked
while the body streams, the event's payload, and the route that puts a call on its ticket."""
