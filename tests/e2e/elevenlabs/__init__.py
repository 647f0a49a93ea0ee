"""ElevenLabs as it really calls us: the generated tool against their schema, the docs' set-up run
end to end, the post-call webhook."""
