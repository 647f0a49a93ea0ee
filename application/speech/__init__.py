"""What a voice agent reads out to the caller: the ``say`` sentence after a hand-off (the
operator's templates) and the one or two sentences about a caller's tickets.

May import the domain and ``application.filing`` (a filing's result). Imported by the use cases
and by the composition root (which builds the templates once)."""
