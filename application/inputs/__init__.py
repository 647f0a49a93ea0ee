"""Input rules: the one rule table for every field a transport accepts, the Idempotency-Key
header's rule, the looser forms a model writes, the checks that collect every field error of one
input, the one precedence rule for a problem's labels (explicit, then the note's, then inferred),
and the JSON depth limit.

May import only the domain. Imported by the use cases and the entrypoints."""
