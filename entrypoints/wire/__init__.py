"""Wire formats both transports share: decoding a body or a tool's arguments into a command,
the JSON shapes of the answers (a hand-off, its status, a ticket's status, an error), and the
one table of error codes.

Imports the core only; the drivers and the composition root import it."""
